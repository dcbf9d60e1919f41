package dev.faultline.smmuv3.internal;

import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;

/**
 * What the driver uses of an SMMU's ID registers (IHI 0070 §6.3.1-6.3.6), read once at bring-up (Linux
 * {@code arm_smmu_device_hw_probe}).
 *
 * @param sidBits StreamID bits the stream table covers (IDR1.SIDSIZE, at most 16 here)
 * @param ssidBits SubstreamID bits (IDR1.SSIDSIZE)
 * @param cd2l whether 2-level CD tables are supported (IDR0.CD2L)
 * @param stallModel IDR0.STALL_MODEL: 0 stall and terminate, 1 terminate only, 2 stall forced
 * @param priQueue whether the PRI queue is in use (IDR0.PRI, and CR0.PRIQEN on an adopted SMMU)
 * @param oas output address size encoding (IDR5.OAS, at most 52 bits)
 */
record ProbedFeatures(int sidBits, int ssidBits, boolean cd2l, int stallModel, boolean priQueue, int oas) {
    private static final int MAX_SID_BITS = 16;

    /** The features of {@code smmu}, from its ID registers. */
    static ProbedFeatures read(Smmu smmu) {
        int idr0 = smmu.read32(SmmuRegisters.IDR0);
        int idr1 = smmu.read32(SmmuRegisters.IDR1);
        return new ProbedFeatures(Math.min(idr1 & 0x3f, MAX_SID_BITS),
                idr1 >>> SmmuRegisters.IDR1_SSIDSIZE_SHIFT & 0x1f, (idr0 & SmmuRegisters.IDR0_CD2L) != 0,
                idr0 >>> SmmuRegisters.IDR0_STALL_MODEL_SHIFT & 3, (idr0 & SmmuRegisters.IDR0_PRI) != 0,
                Math.min(smmu.read32(SmmuRegisters.IDR5) & 7, 5));
    }

    /** The same without the PRI queue (an adopted SMMU whose previous driver did not enable it). */
    ProbedFeatures withoutPriQueue() {
        return new ProbedFeatures(sidBits, ssidBits, cd2l, stallModel, false, oas);
    }

    /** Whether a stalling master's translation faults may stall (STALL_MODEL 0 for stall-capable, 2 for all). */
    FaultMode faultMode(boolean pri, boolean stallCapable) {
        return pri && priQueue ? FaultMode.PRI
                : stallModel == 2 || stallCapable && stallModel == 0 ? FaultMode.STALL : FaultMode.TERMINATE;
    }
}
