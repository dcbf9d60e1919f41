package dev.faultline.viommu.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.VirtualSte;
import java.util.HashMap;
import java.util.Map;

/**
 * Reads and validates what a guest wrote in its virtual SMMUv3's linear stream table and CD tables (IHI 0070
 * §5.2, §5.4), treating every word as hostile. Stateless.
 */
final class GuestStreamTable {
    /** STRTAB_BASE_CFG.FMT linear (the virtual SMMU has IDR0.ST_LEVEL = 0). */
    static final int FMT_LINEAR = 0;
    private static final int STE_BYTES = StreamTableEntry.BYTES;
    private static final int CD_BYTES = 64;
    /** STE dword 0 bits [58:52]: RES0 above S1ContextPtr (IHI 0070 §5.2, 52-bit addresses). */
    private static final long STE0_RES0 = 0x07f0_0000_0000_0000L;
    /**
     * STE dword 1 fields a stage-1-only virtual SMMUv3 without ATS or PRI lets a guest set: S1DSS [1:0],
     * S1CIR/S1COR/S1CSH [7:2], MEV 19, S1STALLD 27, STRW [31:30], SHCFG [45:44], PRIVCFG/INSTCFG [51:48]
     * (Linux STRTAB_STE_1_*); anything else (EATS without ATS, PPAR without PRI, DCP, S2FWB, ...) is refused.
     */
    private static final long STE1_ALLOWED = 0xffL | 1L << 19 | 1L << 27 | 3L << 30 | 3L << 44 | 0xfL << 48;
    /** CD dword 0 bit 31: V ({@code CTXDESC_CD_0_V}). */
    private static final long CD0_V = 1L << 31;

    /** The outcome of reading one STE: the entry to install, or a refusal. */
    record Read(VirtualSte ste, boolean refused) {
        static final Read ABORT = new Read(VirtualSte.ABORT, false);
        static final Read REFUSED = new Read(VirtualSte.ABORT, true);
    }

    private GuestStreamTable() {
    }

    /** Whether a linear table of 2^{@code log2Size} STEs at {@code base} lies wholly in guest RAM. */
    static boolean fits(GuestMemory memory, long base, int log2Size) {
        long bytes = (long) STE_BYTES << log2Size;
        return memory.contains(base) && memory.contains(base + bytes - Long.BYTES);
    }

    /**
     * Reads the STE of {@code sid} in the linear table at {@code base} (its size checked by {@link #fits}).
     *
     * @param ssidBits the virtual SMMU's IDR1.SSIDSIZE, the largest S1CDMax it accepts
     */
    static Read readSte(GuestMemory memory, long base, int log2Size, int sid, int ssidBits) {
        if (sid < 0 || sid >= 1 << log2Size) {
            return Read.REFUSED; // C_BAD_STREAMID in hardware
        }
        long at = base + (long) STE_BYTES * sid;
        long d0 = memory.read64(at);
        long d1 = memory.read64(at + Long.BYTES);
        if ((d0 & 1) == 0) {
            return Read.ABORT; // V = 0: hardware reports C_BAD_STE for its traffic, which aborts
        }
        int config = (int) (d0 >>> 1) & 7;
        if ((d0 & STE0_RES0) != 0 || (d1 & ~STE1_ALLOWED) != 0) {
            return Read.REFUSED;
        }
        boolean mev = (d1 >>> 19 & 1) != 0;
        return switch (config) {
            case StreamTableEntry.CFG_ABORT -> Read.ABORT;
            case StreamTableEntry.CFG_BYPASS -> new Read(new VirtualSte(VirtualSte.Mode.BYPASS, 0, 0, 0, 0, mev), false);
            case StreamTableEntry.CFG_S1_TRANS -> stage1(memory, d0, d1, ssidBits, mev);
            default -> Read.REFUSED; // reserved, or stage 2 the virtual SMMU does not offer (IDR0.S2P = 0)
        };
    }

    private static Read stage1(GuestMemory memory, long d0, long d1, int ssidBits, boolean mev) {
        int s1Fmt = (int) (d0 >>> 4) & 3;
        int cdMax = (int) (d0 >>> 59) & 31;
        int s1Dss = (int) d1 & 3;
        long table = d0 & StreamTableEntry.S1CTXPTR_MASK;
        long bytes = (long) CD_BYTES << cdMax;
        // S1Fmt 1 and 2 need IDR0.CD2L, which the virtual SMMU does not set; S1Fmt is ignored with S1CDMax = 0
        if (cdMax > ssidBits || (cdMax > 0 && s1Fmt != 0) || s1Dss == 3 || (table & (bytes - 1)) != 0
                || !memory.contains(table) || !memory.contains(table + bytes - Long.BYTES)) {
            return Read.REFUSED;
        }
        return new Read(new VirtualSte(VirtualSte.Mode.STAGE1, table, 0, cdMax, cdMax == 0 ? 0 : s1Dss, mev), false);
    }

    /** The PASID CD {@code ssid} serves under {@code ste}, or {@link Integer#MIN_VALUE} for none. */
    static int pasidOf(VirtualSte ste, int ssid) {
        if (ssid == 0) {
            return ste.s1CdMax() == 0 || ste.s1Dss() == 2 ? Pasid.NONE : Integer.MIN_VALUE;
        }
        return ssid;
    }

    /**
     * Reads every valid CD of {@code ste}'s table, by the PASID each serves.
     *
     * @param refused counts the CDs refused ([0] is incremented)
     */
    static Map<Integer, ArmStage1Context> readCds(GuestMemory memory, VirtualSte ste, long[] refused) {
        Map<Integer, ArmStage1Context> out = new HashMap<>();
        if (ste.mode() != VirtualSte.Mode.STAGE1) {
            return out;
        }
        for (int ssid = 0; ssid < 1 << ste.s1CdMax(); ssid++) {
            int pasid = pasidOf(ste, ssid);
            if (pasid == Integer.MIN_VALUE) {
                continue;
            }
            ArmStage1Context cd = readCd(memory, ste, ssid, refused);
            if (cd != null) {
                out.put(pasid, cd);
            }
        }
        return out;
    }

    /** The CD of {@code ssid}, or null if it is invalid (V = 0) or refused (counted in {@code refused[0]}). */
    static ArmStage1Context readCd(GuestMemory memory, VirtualSte ste, int ssid, long[] refused) {
        long at = ste.contextTable() + (long) CD_BYTES * ssid;
        if ((memory.read64(at) & CD0_V) == 0) {
            // no context: like hardware's C_BAD_CD, the virtual SMMU answers this SubstreamID's stalls INVALID
            return null;
        }
        try {
            return ArmStage1Context.readCd(memory, at);
        } catch (IllegalArgumentException e) {
            refused[0]++;
            return null;
        }
    }
}
