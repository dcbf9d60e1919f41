package dev.faultline.platform.smmuv3;

/**
 * A Stream Table Entry: 8 dwords, 64 bytes (IHI 0070 §5.2; Linux {@code STRTAB_STE_*}). Only the
 * fields below are modelled; other bits encode as 0.
 *
 * @param valid V (dw0 bit 0)
 * @param config Config (dw0 [3:1]): {@link #CFG_ABORT}, {@link #CFG_BYPASS}, {@link #CFG_S1_TRANS},
 *     {@link #CFG_S2_TRANS}, {@link #CFG_NESTED}; 1-3 are reserved (ILLEGAL)
 * @param s1Fmt S1Fmt (dw0 [5:4]): 0 linear CD table, 1 two-level with 4 KiB leaves, 2 two-level with 64 KiB leaves
 * @param s1ContextPtr S1ContextPtr (dw0 [51:6]): CD table address (an IPA when stage 2 is on)
 * @param s1CdMax S1CDMax (dw0 [63:59]): log2 of the number of CDs; 0 = substreams disabled
 * @param s1Dss S1DSS (dw1 [1:0]): 0 terminate, 1 bypass stage 1, 2 use CD 0, for transactions without SSID
 * @param s1Cir S1CIR (dw1 [3:2])
 * @param s1Cor S1COR (dw1 [5:4])
 * @param s1Csh S1CSH (dw1 [7:6])
 * @param ppar PPAR (dw1 bit 18): PRI auto-responses on overflow carry the PASID
 * @param mev MEV (dw1 bit 19): events may be merged
 * @param s1Stalld S1STALLD (dw1 bit 27): stage-1 stalls disallowed
 * @param eats EATS (dw1 [29:28]): 0 ATS aborted, 1 full ATS, 2 split-stage
 * @param strw STRW (dw1 [31:30])
 * @param shcfg SHCFG (dw1 [45:44])
 * @param privCfg PRIVCFG (dw1 [49:48]): 0/1 incoming, 2 force unprivileged, 3 force privileged
 * @param instCfg INSTCFG (dw1 [51:50]): 0/1 incoming, 2 force data, 3 force instruction
 * @param s2Vmid S2VMID (dw2 [15:0])
 * @param s2T0sz S2T0SZ (dw2 [37:32])
 * @param s2Sl0 S2SL0 (dw2 [39:38])
 * @param s2Ir0 S2IR0 (dw2 [41:40])
 * @param s2Or0 S2OR0 (dw2 [43:42])
 * @param s2Sh0 S2SH0 (dw2 [45:44])
 * @param s2Tg S2TG (dw2 [47:46]): 0 = 4 KiB
 * @param s2Ps S2PS (dw2 [50:48])
 * @param s2Aa64 S2AA64 (dw2 bit 51)
 * @param s2Endi S2ENDI (dw2 bit 52)
 * @param s2Affd S2AFFD (dw2 bit 53)
 * @param s2Ptw S2PTW (dw2 bit 54)
 * @param s2Hd S2HD (dw2 bit 55)
 * @param s2Ha S2HA (dw2 bit 56)
 * @param s2Stall S2S (dw2 bit 57): stage-2 faults stall
 * @param s2Record S2R (dw2 bit 58): stage-2 faults are recorded
 * @param s2Ttb S2TTB (dw3 [51:4])
 */
public record StreamTableEntry(boolean valid, int config, int s1Fmt, long s1ContextPtr, int s1CdMax, int s1Dss,
        int s1Cir, int s1Cor, int s1Csh, boolean ppar, boolean mev, boolean s1Stalld, int eats, int strw, int shcfg,
        int privCfg, int instCfg, int s2Vmid, int s2T0sz, int s2Sl0, int s2Ir0, int s2Or0, int s2Sh0, int s2Tg,
        int s2Ps, boolean s2Aa64, boolean s2Endi, boolean s2Affd, boolean s2Ptw, boolean s2Hd, boolean s2Ha,
        boolean s2Stall, boolean s2Record, long s2Ttb) {

    /** STE size in dwords. */
    public static final int DWORDS = 8;
    /** STE size in bytes. */
    public static final int BYTES = 64;
    /** {@code STRTAB_STE_0_CFG_ABORT}. */
    public static final int CFG_ABORT = 0;
    /** {@code STRTAB_STE_0_CFG_BYPASS}. */
    public static final int CFG_BYPASS = 4;
    /** {@code STRTAB_STE_0_CFG_S1_TRANS}. */
    public static final int CFG_S1_TRANS = 5;
    /** {@code STRTAB_STE_0_CFG_S2_TRANS}. */
    public static final int CFG_S2_TRANS = 6;
    /** {@code STRTAB_STE_0_CFG_NESTED}. */
    public static final int CFG_NESTED = 7;
    /** {@code STRTAB_STE_1_S1DSS_TERMINATE}. */
    public static final int S1DSS_TERMINATE = 0;
    /** {@code STRTAB_STE_1_S1DSS_BYPASS}. */
    public static final int S1DSS_BYPASS = 1;
    /** {@code STRTAB_STE_1_S1DSS_SSID0}. */
    public static final int S1DSS_SSID0 = 2;
    /** {@code STRTAB_STE_1_EATS_TRANS}. */
    public static final int EATS_TRANS = 1;
    /** {@code STRTAB_STE_0_S1CTXPTR_MASK}: [51:6]. */
    public static final long S1CTXPTR_MASK = 0x000f_ffff_ffff_ffc0L;
    /** {@code STRTAB_STE_3_S2TTB_MASK}: [51:4]. */
    public static final long S2TTB_MASK = 0x000f_ffff_ffff_fff0L;
    /** {@code STRTAB_STE_1_S1C_CACHE_WBRA}. */
    public static final int S1C_CACHE_WBRA = 1;
    /** {@code ARM_SMMU_SH_ISH}. */
    public static final int SH_ISH = 3;

    /**
     * Validates field widths.
     *
     * @throws IllegalArgumentException for a field wider than its encoding
     */
    public StreamTableEntry {
        check("Config", config, 7);
        check("S1Fmt", s1Fmt, 3);
        check("S1CDMax", s1CdMax, 31);
        check("S1DSS", s1Dss, 3);
        check("EATS", eats, 3);
        check("PRIVCFG", privCfg, 3);
        check("INSTCFG", instCfg, 3);
        check("S2VMID", s2Vmid, 0xffff);
        check("S2T0SZ", s2T0sz, 63);
        check("S2SL0", s2Sl0, 3);
        check("S2PS", s2Ps, 7);
        check("S2TG", s2Tg, 3);
        if ((s1ContextPtr & ~S1CTXPTR_MASK) != 0) {
            throw new IllegalArgumentException(String.format("S1ContextPtr 0x%x is not 64-byte aligned", s1ContextPtr));
        }
        if ((s2Ttb & ~S2TTB_MASK) != 0) {
            throw new IllegalArgumentException(String.format("S2TTB 0x%x is not 16-byte aligned", s2Ttb));
        }
    }

    /** An invalid STE (all zero): C_BAD_STE for any traffic. */
    public static StreamTableEntry invalid() {
        return decode(new long[DWORDS]);
    }

    /** Decodes 8 dwords (at least 4). */
    public static StreamTableEntry decode(long[] d) {
        return new StreamTableEntry((d[0] & 1) != 0, (int) (d[0] >>> 1) & 7, (int) (d[0] >>> 4) & 3,
                d[0] & S1CTXPTR_MASK, (int) (d[0] >>> 59) & 31, (int) d[1] & 3, (int) (d[1] >>> 2) & 3,
                (int) (d[1] >>> 4) & 3, (int) (d[1] >>> 6) & 3, bit(d[1], 18), bit(d[1], 19), bit(d[1], 27),
                (int) (d[1] >>> 28) & 3, (int) (d[1] >>> 30) & 3, (int) (d[1] >>> 44) & 3, (int) (d[1] >>> 48) & 3,
                (int) (d[1] >>> 50) & 3, (int) d[2] & 0xffff, (int) (d[2] >>> 32) & 63, (int) (d[2] >>> 38) & 3,
                (int) (d[2] >>> 40) & 3, (int) (d[2] >>> 42) & 3, (int) (d[2] >>> 44) & 3, (int) (d[2] >>> 46) & 3,
                (int) (d[2] >>> 48) & 7, bit(d[2], 51), bit(d[2], 52), bit(d[2], 53), bit(d[2], 54), bit(d[2], 55),
                bit(d[2], 56), bit(d[2], 57), bit(d[2], 58), d[3] & S2TTB_MASK);
    }

    /** The 8 dwords (dw4-dw7 are 0). */
    public long[] encode() {
        long[] d = new long[DWORDS];
        d[0] = (valid ? 1 : 0) | (long) config << 1 | (long) s1Fmt << 4 | s1ContextPtr | (long) s1CdMax << 59;
        d[1] = s1Dss | (long) s1Cir << 2 | (long) s1Cor << 4 | (long) s1Csh << 6 | flag(ppar, 18) | flag(mev, 19)
                | flag(s1Stalld, 27) | (long) eats << 28 | (long) strw << 30 | (long) shcfg << 44
                | (long) privCfg << 48 | (long) instCfg << 50;
        d[2] = s2Vmid | (long) s2T0sz << 32 | (long) s2Sl0 << 38 | (long) s2Ir0 << 40 | (long) s2Or0 << 42
                | (long) s2Sh0 << 44 | (long) s2Tg << 46 | (long) s2Ps << 48 | flag(s2Aa64, 51) | flag(s2Endi, 52)
                | flag(s2Affd, 53) | flag(s2Ptw, 54) | flag(s2Hd, 55) | flag(s2Ha, 56) | flag(s2Stall, 57)
                | flag(s2Record, 58);
        d[3] = s2Ttb;
        return d;
    }

    /** Whether stage 1 translates (Config 0b101 or 0b111). */
    public boolean stage1() {
        return valid && (config == CFG_S1_TRANS || config == CFG_NESTED);
    }

    /** Whether stage 2 translates (Config 0b110 or 0b111). */
    public boolean stage2() {
        return valid && (config == CFG_S2_TRANS || config == CFG_NESTED);
    }

    /** A builder starting from this entry. */
    public Builder toBuilder() {
        return new Builder(encode());
    }

    /** A builder of an all-zero (invalid) entry. */
    public static Builder builder() {
        return new Builder(new long[DWORDS]);
    }

    /** Builds an STE field by field (starting from raw dwords, so unset fields stay as they were). */
    public static final class Builder {
        private StreamTableEntry e;

        private Builder(long[] dwords) {
            this.e = decode(dwords);
        }

        /** V and Config. */
        public Builder config(boolean valid, int config) {
            long[] d = e.encode();
            d[0] = (d[0] & ~0xfL) | (valid ? 1 : 0) | (long) config << 1;
            e = decode(d);
            return this;
        }

        /** S1ContextPtr, S1Fmt and S1CDMax. */
        public Builder contextTable(long ptr, int fmt, int cdMax) {
            long[] d = e.encode();
            d[0] = (d[0] & 0xfL) | (long) fmt << 4 | ptr | (long) cdMax << 59;
            e = decode(d);
            return this;
        }

        /** The stage-1 controls Linux sets ({@code arm_smmu_make_cdtable_ste}): WBRA, ISH, S1DSS, S1STALLD, EATS. */
        public Builder stage1Controls(int s1Dss, boolean s1Stalld, int eats) {
            long[] d = e.encode();
            d[1] = (d[1] & ~(3L | 0xfcL | 1L << 27 | 3L << 28)) | s1Dss | (long) S1C_CACHE_WBRA << 2
                    | (long) S1C_CACHE_WBRA << 4 | (long) SH_ISH << 6 | flag(s1Stalld, 27) | (long) eats << 28;
            e = decode(d);
            return this;
        }

        /** EATS alone. */
        public Builder eats(int eats) {
            long[] d = e.encode();
            d[1] = (d[1] & ~(3L << 28)) | (long) eats << 28;
            e = decode(d);
            return this;
        }

        /** PPAR, MEV. */
        public Builder flags(boolean ppar, boolean mev) {
            long[] d = e.encode();
            d[1] = (d[1] & ~(1L << 18 | 1L << 19)) | flag(ppar, 18) | flag(mev, 19);
            e = decode(d);
            return this;
        }

        /** PRIVCFG and INSTCFG. */
        public Builder overrides(int privCfg, int instCfg) {
            long[] d = e.encode();
            d[1] = (d[1] & ~(0xfL << 48)) | (long) privCfg << 48 | (long) instCfg << 50;
            e = decode(d);
            return this;
        }

        /**
         * Stage 2 as Linux programs it ({@code arm_smmu_make_s2_domain_ste}): VMID, VTCR fields with WBWA walks and
         * inner-shareable, 4 KiB granule, S2AA64 | S2PTW | S2R, S2S if {@code stall}, and S2TTB.
         */
        public Builder stage2(int vmid, int t0sz, int sl0, int ps, long ttb, boolean stall) {
            long[] d = e.encode();
            d[2] = vmid | (long) t0sz << 32 | (long) sl0 << 38 | 1L << 40 | 1L << 42 | 3L << 44 | (long) ps << 48
                    | 1L << 51 | 1L << 54 | flag(stall, 57) | 1L << 58;
            d[3] = ttb;
            e = decode(d);
            return this;
        }

        /** S2AFFD, S2HA, S2HD, S2S and S2R individually. */
        public Builder stage2Controls(boolean affd, boolean ha, boolean hd, boolean stall, boolean record) {
            long[] d = e.encode();
            d[2] = (d[2] & ~(1L << 53 | 1L << 55 | 1L << 56 | 1L << 57 | 1L << 58)) | flag(affd, 53) | flag(hd, 55)
                    | flag(ha, 56) | flag(stall, 57) | flag(record, 58);
            e = decode(d);
            return this;
        }

        /** The entry. */
        public StreamTableEntry build() {
            return e;
        }
    }

    private static boolean bit(long v, int b) {
        return (v >>> b & 1) != 0;
    }

    private static long flag(boolean v, int b) {
        return v ? 1L << b : 0;
    }

    private static void check(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException("STE " + what + " " + value + " exceeds " + max);
        }
    }
}
