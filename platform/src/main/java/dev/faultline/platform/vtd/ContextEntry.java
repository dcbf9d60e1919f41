package dev.faultline.platform.vtd;

/**
 * A scalable-mode context entry (VT-d scalable-mode entries): 32 bytes at CTP + 32 × (devfn &amp; 0x7F).
 *
 * <p>qw0: P bit 0, FPD bit 1, DTE bit 2, PASIDE bit 3, PRE bit 4, reserved [8:5], PDTS [11:9],
 * PASIDDIRPTR [63:12]. qw1: RID_PASID [19:0], RID_PRIV bit 20. The model treats the rest of qw1 and all of
 * qw2 and qw3 as reserved.
 *
 * @param present P
 * @param faultProcessingDisable FPD: faults of this device are not recorded
 * @param deviceTlb DTE: ATS translation requests allowed
 * @param pasidEnable PASIDE: requests with PASID allowed
 * @param pageRequestEnable PRE: page requests allowed
 * @param pdts PDTS: the PASID directory has 2^(PDTS + 7) entries
 * @param pasidDirectory PASIDDIRPTR, 4 KiB aligned
 * @param ridPasid RID_PASID: the PASID used for requests without one
 * @param ridPrivileged RID_PRIV: requests without PASID are supervisor requests
 */
public record ContextEntry(boolean present, boolean faultProcessingDisable, boolean deviceTlb, boolean pasidEnable,
        boolean pageRequestEnable, int pdts, long pasidDirectory, int ridPasid, boolean ridPrivileged) {

    /** Entry size in bytes. */
    public static final int SIZE = 32;
    /** Reserved bits of qw0: [8:5]. */
    public static final long QW0_RESERVED = 0x1e0L;
    /** Reserved bits of qw1 as the model reads it: [63:21]. */
    public static final long QW1_RESERVED = ~0x1f_ffffL;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException for a field wider than its bits or an unaligned directory pointer
     */
    public ContextEntry {
        Capability.check("PDTS", pdts, 7);
        Capability.check("RID_PASID", ridPasid, 0xfffff);
        if ((pasidDirectory & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("PASID directory 0x%x is not 4 KiB aligned",
                    pasidDirectory));
        }
    }

    /** Reads qw0 and qw1. */
    public static ContextEntry decode(long qw0, long qw1) {
        return new ContextEntry((qw0 & 1) != 0, (qw0 >>> 1 & 1) != 0, (qw0 >>> 2 & 1) != 0, (qw0 >>> 3 & 1) != 0,
                (qw0 >>> 4 & 1) != 0, (int) (qw0 >>> 9) & 7, qw0 & ~0xfffL, (int) qw1 & 0xfffff,
                (qw1 >>> 20 & 1) != 0);
    }

    /** Whether the entry sets a bit the model reads as reserved. */
    public static boolean reservedBitsSet(long qw0, long qw1, long qw2, long qw3) {
        return (qw0 & QW0_RESERVED) != 0 || (qw1 & QW1_RESERVED) != 0 || qw2 != 0 || qw3 != 0;
    }

    /** qw0. */
    public long qw0() {
        return (present ? 1 : 0) | Capability.bit(faultProcessingDisable, 1) | Capability.bit(deviceTlb, 2)
                | Capability.bit(pasidEnable, 3) | Capability.bit(pageRequestEnable, 4) | (long) pdts << 9
                | pasidDirectory;
    }

    /** qw1. */
    public long qw1() {
        return ridPasid | Capability.bit(ridPrivileged, 20);
    }

    /** {@code get_pasid_dir_size}: the number of PASID directory entries. */
    public int pasidDirectoryEntries() {
        return 1 << (pdts + 7);
    }

    /** The number of PASIDs the directory can hold (PASIDs at or above it fault 0x46). */
    public int pasidLimit() {
        return pasidDirectoryEntries() << 6;
    }

    /** The byte offset of {@code devfn}'s entry in its (lower or upper) context table. */
    public static long offset(int devfn) {
        return (long) (devfn & 0x7f) * SIZE;
    }
}
