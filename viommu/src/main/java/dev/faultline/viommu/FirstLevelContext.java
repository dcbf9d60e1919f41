package dev.faultline.viommu;

/**
 * A guest's VT-d first-level (x86-64 4-level paging) configuration: the fields of a scalable-mode PASID-table
 * entry that decide the outcome of a first-level walk (VT-d scalable-mode entries, VT-d first-level paging).
 *
 * @param tableRoot FLPTR, the guest-physical address of the PML4 table; 4 KiB aligned
 * @param supervisorRequests SRE: requests in privileged mode are allowed (else fault 0x5D)
 * @param executeRequests ERE: execute requests are allowed (else fault 0x5C; PASID-entry bit 129 per VirtualBox,
 *     unverified against the specification)
 * @param writeProtect WPE: supervisor writes honour read-only entries (else they ignore R/W = 0, as x86 with
 *     CR0.WP = 0; semantics per VirtualBox's field name, unverified against the specification)
 * @param addressWidth the remapping hardware's address width in bits (39 to 52): entry address bits at or
 *     above it are reserved (fault 0x72)
 */
public record FirstLevelContext(long tableRoot, boolean supervisorRequests, boolean executeRequests,
        boolean writeProtect, int addressWidth)
        implements Stage1Context {

    /** The narrowest address width accepted (3-level second-level paging, 39 bits). */
    public static final int MIN_ADDRESS_WIDTH = 39;
    /** The widest address width accepted (52 bits). */
    public static final int MAX_ADDRESS_WIDTH = 52;

    // PASID-table entry fields (VT-d scalable-mode entries; Linux pasid.h)
    private static final long VAL0_PRESENT = 1L;
    private static final int VAL0_PGTT_SHIFT = 6;
    /** PASID_ENTRY_PGTT_FL_ONLY. */
    private static final int PGTT_FL_ONLY = 1;
    /** PASID_ENTRY_PGTT_NESTED. */
    private static final int PGTT_NESTED = 3;
    private static final long VAL2_SRE = 1L;
    private static final long VAL2_ERE = 1L << 1;
    private static final int VAL2_FLPM_SHIFT = 2;
    private static final long VAL2_WPE = 1L << 4;
    private static final long VAL2_FLPTR = 0xffff_ffff_ffff_f000L;
    private static final int PASID_ENTRY_BYTES = 64;

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException for an unaligned or negative table root, one at or above the address
     *     width, or an address width outside 39..52
     */
    public FirstLevelContext {
        if (addressWidth < MIN_ADDRESS_WIDTH || addressWidth > MAX_ADDRESS_WIDTH) {
            throw new IllegalArgumentException("address width " + addressWidth + " is outside "
                    + MIN_ADDRESS_WIDTH + ".." + MAX_ADDRESS_WIDTH);
        }
        if (tableRoot < 0 || (tableRoot & 0xfff) != 0 || tableRoot >>> addressWidth != 0) {
            throw new IllegalArgumentException(String.format(
                    "FLPTR 0x%x must be 4 KiB aligned and below 2^%d", tableRoot, addressWidth));
        }
    }

    /** What Linux programs for a user (SVA) first-level domain: no supervisor or execute requests, 48-bit width. */
    public static FirstLevelContext user(long tableRoot) {
        return new FirstLevelContext(tableRoot, false, false, false, 48);
    }

    /**
     * Reads the scalable-mode PASID-table entry the guest wrote at {@code entryAddress} in its memory.
     *
     * @param addressWidth the address width the guest's virtual remapping unit advertises
     * @throws IllegalArgumentException if the entry is unreadable, not present, not first-level or nested
     *     (PGTT 1 or 3), or uses 5-level paging (FLPM != 0)
     */
    public static FirstLevelContext readPasidEntry(GuestMemory memory, long entryAddress, int addressWidth) {
        if ((entryAddress & (PASID_ENTRY_BYTES - 1)) != 0 || !memory.contains(entryAddress)
                || !memory.contains(entryAddress + 2 * Long.BYTES)) {
            throw new IllegalArgumentException(String.format(
                    "PASID-table entry at 0x%x is unaligned or outside guest RAM", entryAddress));
        }
        long val0 = memory.read64(entryAddress);
        long val2 = memory.read64(entryAddress + 2 * Long.BYTES);
        if ((val0 & VAL0_PRESENT) == 0) {
            throw new IllegalArgumentException(String.format("PASID-table entry at 0x%x is not present",
                    entryAddress));
        }
        int pgtt = (int) (val0 >>> VAL0_PGTT_SHIFT) & 7;
        if (pgtt != PGTT_FL_ONLY && pgtt != PGTT_NESTED) {
            throw new IllegalArgumentException(String.format(
                    "PASID-table entry at 0x%x has PGTT %d; the guest owns first-level tables only with 1 or 3",
                    entryAddress, pgtt));
        }
        if (((val2 >>> VAL2_FLPM_SHIFT) & 3) != 0) {
            throw new IllegalArgumentException(String.format(
                    "PASID-table entry at 0x%x selects 5-level paging, which this vIOMMU does not walk",
                    entryAddress));
        }
        return new FirstLevelContext(val2 & VAL2_FLPTR, (val2 & VAL2_SRE) != 0, (val2 & VAL2_ERE) != 0,
                (val2 & VAL2_WPE) != 0, addressWidth);
    }
}
