package dev.faultline.platform.smmuv3;

import dev.faultline.platform.arm.Descriptor;

/**
 * A Context Descriptor: 8 dwords, 64 bytes (IHI 0070 §5.4; Linux {@code CTXDESC_CD_*}). Only
 * the TTB0 half and the fault controls are modelled; other bits encode as 0.
 *
 * @param t0sz T0SZ (dw0 [5:0])
 * @param tg0 TG0 (dw0 [7:6]): 0 = 4 KiB
 * @param irgn0 IR0 (dw0 [9:8])
 * @param orgn0 OR0 (dw0 [11:10])
 * @param sh0 SH0 (dw0 [13:12])
 * @param epd0 EPD0 (dw0 bit 14): TTB0 walks disabled
 * @param endi ENDI (dw0 bit 15)
 * @param epd1 EPD1 (dw0 bit 30)
 * @param valid V (dw0 bit 31)
 * @param ips IPS (dw0 [34:32])
 * @param affd AFFD (dw0 bit 35)
 * @param tbi0 TBI0 (dw0 bit 38)
 * @param aa64 AA64 (dw0 bit 41)
 * @param hd HD (dw0 bit 42)
 * @param ha HA (dw0 bit 43)
 * @param stall S (dw0 bit 44): stage-1 faults stall
 * @param record R (dw0 bit 45): stage-1 faults are recorded
 * @param abort A (dw0 bit 46): terminated faults abort (else RAZ/WI)
 * @param aset ASET (dw0 bit 47)
 * @param asid ASID (dw0 [63:48])
 * @param ttb0 TTB0 (dw1 [51:4])
 * @param mair MAIR (dw3)
 */
public record ContextDescriptor(int t0sz, int tg0, int irgn0, int orgn0, int sh0, boolean epd0, boolean endi,
        boolean epd1, boolean valid, int ips, boolean affd, boolean tbi0, boolean aa64, boolean hd, boolean ha,
        boolean stall, boolean record, boolean abort, boolean aset, int asid, long ttb0, long mair) {

    /** CD size in dwords. */
    public static final int DWORDS = 8;
    /** CD size in bytes. */
    public static final int BYTES = 64;
    /** {@code CTXDESC_CD_1_TTB0_MASK}: [51:4]. */
    public static final long TTB0_MASK = 0x000f_ffff_ffff_fff0L;
    /** {@code CTXDESC_L1_DESC_V}. */
    public static final long L1_DESC_V = 1;
    /** {@code CTXDESC_L1_DESC_L2PTR_MASK}: [51:12]. */
    public static final long L1_DESC_L2PTR_MASK = 0x000f_ffff_ffff_f000L;
    /** {@code CTXDESC_SPLIT}: Linux's 2-level CD tables index leaves with SSID[9:0] (S1Fmt 2). */
    public static final int SPLIT_64K = 10;
    /** S1Fmt 1 leaves: 64 CDs, SSID[5:0]. */
    public static final int SPLIT_4K = 6;

    /**
     * Validates field widths.
     *
     * @throws IllegalArgumentException for a field wider than its encoding or an unaligned TTB0
     */
    public ContextDescriptor {
        if (t0sz < 0 || t0sz > 63 || tg0 < 0 || tg0 > 3 || ips < 0 || ips > 7 || asid < 0 || asid > 0xffff
                || irgn0 < 0 || irgn0 > 3 || orgn0 < 0 || orgn0 > 3 || sh0 < 0 || sh0 > 3) {
            throw new IllegalArgumentException("CD field out of range");
        }
        if ((ttb0 & ~TTB0_MASK) != 0) {
            throw new IllegalArgumentException(String.format("TTB0 0x%x is not 16-byte aligned", ttb0));
        }
    }

    /**
     * The CD Linux's {@code arm_smmu_make_s1_cd} writes for a 4 KiB-granule table: WBWA walks, inner shareable,
     * EPD1, V, AA64, R, A, ASET, the Linux MAIR, S if {@code stall}.
     *
     * @param inputBits VA size (T0SZ = 64 - inputBits)
     * @param ips the IPS encoding
     */
    public static ContextDescriptor linux(int inputBits, int ips, int asid, long ttb0, boolean stall) {
        return new ContextDescriptor(64 - inputBits, 0, 1, 1, 3, false, false, true, true, ips, false, false, true,
                false, false, stall, true, true, true, asid, ttb0, Descriptor.LINUX_MAIR);
    }

    /** Decodes 8 dwords (at least 4). */
    public static ContextDescriptor decode(long[] d) {
        long w = d[0];
        return new ContextDescriptor((int) w & 63, (int) (w >>> 6) & 3, (int) (w >>> 8) & 3, (int) (w >>> 10) & 3,
                (int) (w >>> 12) & 3, bit(w, 14), bit(w, 15), bit(w, 30), bit(w, 31), (int) (w >>> 32) & 7,
                bit(w, 35), bit(w, 38), bit(w, 41), bit(w, 42), bit(w, 43), bit(w, 44), bit(w, 45), bit(w, 46),
                bit(w, 47), (int) (w >>> 48) & 0xffff, d[1] & TTB0_MASK, d[3]);
    }

    /** The 8 dwords. */
    public long[] encode() {
        long[] d = new long[DWORDS];
        d[0] = t0sz | (long) tg0 << 6 | (long) irgn0 << 8 | (long) orgn0 << 10 | (long) sh0 << 12 | flag(epd0, 14)
                | flag(endi, 15) | flag(epd1, 30) | flag(valid, 31) | (long) ips << 32 | flag(affd, 35)
                | flag(tbi0, 38) | flag(aa64, 41) | flag(hd, 42) | flag(ha, 43) | flag(stall, 44) | flag(record, 45)
                | flag(abort, 46) | flag(aset, 47) | (long) asid << 48;
        d[1] = ttb0;
        d[3] = mair;
        return d;
    }

    /** This CD with the fault controls S, R, A changed. */
    public ContextDescriptor withFaultControls(boolean newStall, boolean newRecord, boolean newAbort) {
        return new ContextDescriptor(t0sz, tg0, irgn0, orgn0, sh0, epd0, endi, epd1, valid, ips, affd, tbi0, aa64, hd,
                ha, newStall, newRecord, newAbort, aset, asid, ttb0, mair);
    }

    /** This CD with AFFD, HA and HD changed. */
    public ContextDescriptor withAccessFlag(boolean newAffd, boolean newHa, boolean newHd) {
        return new ContextDescriptor(t0sz, tg0, irgn0, orgn0, sh0, epd0, endi, epd1, valid, ips, newAffd, tbi0, aa64,
                newHd, newHa, stall, record, abort, aset, asid, ttb0, mair);
    }

    /** This CD with V and EPD0 changed. */
    public ContextDescriptor withValid(boolean newValid, boolean newEpd0) {
        return new ContextDescriptor(t0sz, tg0, irgn0, orgn0, sh0, newEpd0, endi, epd1, newValid, ips, affd, tbi0, aa64,
                hd, ha, stall, record, abort, aset, asid, ttb0, mair);
    }

    /** A 2-level CD table's L1 descriptor pointing at a leaf table. */
    public static long l1Descriptor(long leafTable) {
        return (leafTable & L1_DESC_L2PTR_MASK) | L1_DESC_V;
    }

    private static boolean bit(long v, int b) {
        return (v >>> b & 1) != 0;
    }

    private static long flag(boolean v, int b) {
        return v ? 1L << b : 0;
    }
}
