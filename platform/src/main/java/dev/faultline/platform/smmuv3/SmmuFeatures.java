package dev.faultline.platform.smmuv3;

/**
 * What a simulated SMMUv3 implements, as its ID registers report it (IHI 0070 §6.3).
 *
 * @param sidBits IDR1.SIDSIZE: StreamID bits (1-32)
 * @param ssidBits IDR1.SSIDSIZE: SubstreamID bits (0-20)
 * @param stallModel IDR0.STALL_MODEL: 0 stall and terminate, 1 terminate only, 2 stall forced
 * @param termModel IDR0.TERM_MODEL: terminations always abort
 * @param pri IDR0.PRI: a PRI queue is present
 * @param ats IDR0.ATS
 * @param twoLevelStreamTable IDR0.ST_LVL = 1
 * @param twoLevelCdTable IDR0.CD2L
 * @param oas IDR5.OAS encoding (0-6; 5 = 48 bits)
 * @param eventQueueLog2 IDR1.EVTQS: log2 of the largest event queue
 * @param priQueueLog2 IDR1.PRIQS
 * @param commandQueueLog2 IDR1.CMDQS
 * @param stallMax IDR5.STALL_MAX: most transactions stalled at once (1-65535)
 */
public record SmmuFeatures(int sidBits, int ssidBits, int stallModel, boolean termModel, boolean pri, boolean ats,
        boolean twoLevelStreamTable, boolean twoLevelCdTable, int oas, int eventQueueLog2, int priQueueLog2,
        int commandQueueLog2, int stallMax) {

    /**
     * Validates the features.
     *
     * @throws IllegalArgumentException for values the ID registers cannot hold
     */
    public SmmuFeatures {
        range("SIDSIZE", sidBits, 1, 32);
        range("SSIDSIZE", ssidBits, 0, 20);
        range("STALL_MODEL", stallModel, 0, 2);
        range("OAS", oas, 0, 6);
        range("EVTQS", eventQueueLog2, 0, 19);
        range("PRIQS", priQueueLog2, 0, 19);
        range("CMDQS", commandQueueLog2, 0, 19);
        range("STALL_MAX", stallMax, 1, 0xffff);
    }

    /**
     * A typical server SMMU: 16-bit StreamIDs, 20-bit SubstreamIDs, stalls, PRI and ATS, both 2-level tables,
     * 48-bit OAS, queues of up to 2^8 events, 2^8 PRI entries and 2^8 commands, 64 stalls.
     */
    public static SmmuFeatures defaults() {
        return new SmmuFeatures(16, 20, 0, false, true, true, true, true, 5, 8, 8, 8, 64);
    }

    /** These features with other queue limits. */
    public SmmuFeatures withQueues(int eventLog2, int priLog2, int commandLog2) {
        return new SmmuFeatures(sidBits, ssidBits, stallModel, termModel, pri, ats, twoLevelStreamTable,
                twoLevelCdTable, oas, eventLog2, priLog2, commandLog2, stallMax);
    }

    /** These features with another stall model and STALL_MAX. */
    public SmmuFeatures withStalls(int model, int max) {
        return new SmmuFeatures(sidBits, ssidBits, model, termModel, pri, ats, twoLevelStreamTable, twoLevelCdTable,
                oas, eventQueueLog2, priQueueLog2, commandQueueLog2, max);
    }

    /** These features with TERM_MODEL changed. */
    public SmmuFeatures withTermModel(boolean value) {
        return new SmmuFeatures(sidBits, ssidBits, stallModel, value, pri, ats, twoLevelStreamTable, twoLevelCdTable,
                oas, eventQueueLog2, priQueueLog2, commandQueueLog2, stallMax);
    }

    /** IDR0. */
    public int idr0() {
        return SmmuRegisters.IDR0_S2P | SmmuRegisters.IDR0_S1P | SmmuRegisters.IDR0_TTF_AARCH64
                | SmmuRegisters.IDR0_COHACC | SmmuRegisters.IDR0_HTTU_AD | SmmuRegisters.IDR0_ASID16
                | SmmuRegisters.IDR0_VMID16 | (ats ? SmmuRegisters.IDR0_ATS : 0) | (pri ? SmmuRegisters.IDR0_PRI : 0)
                | (twoLevelCdTable ? SmmuRegisters.IDR0_CD2L : 0)
                | stallModel << SmmuRegisters.IDR0_STALL_MODEL_SHIFT | (termModel ? SmmuRegisters.IDR0_TERM_MODEL : 0)
                | (twoLevelStreamTable ? SmmuRegisters.IDR0_ST_LVL_2LVL : 0);
    }

    /** IDR1. */
    public int idr1() {
        return sidBits | ssidBits << SmmuRegisters.IDR1_SSIDSIZE_SHIFT | priQueueLog2 << SmmuRegisters.IDR1_PRIQS_SHIFT
                | eventQueueLog2 << SmmuRegisters.IDR1_EVTQS_SHIFT
                | commandQueueLog2 << SmmuRegisters.IDR1_CMDQS_SHIFT;
    }

    /** IDR5. */
    public int idr5() {
        return oas | SmmuRegisters.IDR5_GRAN4K | stallMax << SmmuRegisters.IDR5_STALL_MAX_SHIFT;
    }

    /** The output address size in bits. */
    public int oasBits() {
        return dev.faultline.platform.arm.WalkParameters.outputBitsOf(oas);
    }

    private static void range(String what, int v, int min, int max) {
        if (v < min || v > max) {
            throw new IllegalArgumentException(what + " " + v + " outside [" + min + ", " + max + "]");
        }
    }
}
