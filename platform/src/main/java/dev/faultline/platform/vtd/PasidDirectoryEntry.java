package dev.faultline.platform.vtd;

/**
 * A scalable-mode PASID directory entry (VT-d scalable-mode entries): 8 bytes at PASIDDIRPTR + 8 × (PASID &gt;&gt; 6);
 * P bit 0 ({@code PASID_PTE_PRESENT}), FPD bit 1 ({@code PASID_PTE_FPD}), SMPTBLPTR [63:12]
 * ({@code PDE_PFN_MASK}); the model reads [11:2] as reserved.
 *
 * @param present P
 * @param faultProcessingDisable FPD
 * @param pasidTable SMPTBLPTR, 4 KiB aligned
 */
public record PasidDirectoryEntry(boolean present, boolean faultProcessingDisable, long pasidTable) {

    /** Entry size in bytes. */
    public static final int SIZE = 8;
    /** {@code PASID_PDE_SHIFT}: PASID bits below the directory index. */
    public static final int PASID_SHIFT = 6;
    /** Reserved bits [11:2]. */
    public static final long RESERVED = 0xffcL;

    /**
     * Validates the pointer.
     *
     * @throws IllegalArgumentException for a PASID table pointer that is not 4 KiB aligned
     */
    public PasidDirectoryEntry {
        if ((pasidTable & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("PASID table 0x%x is not 4 KiB aligned", pasidTable));
        }
    }

    /** Reads the qword. */
    public static PasidDirectoryEntry decode(long value) {
        return new PasidDirectoryEntry((value & 1) != 0, (value >>> 1 & 1) != 0, value & ~0xfffL);
    }

    /** The qword. */
    public long value() {
        return pasidTable | Capability.bit(faultProcessingDisable, 1) | (present ? 1 : 0);
    }

    /** The byte offset of {@code pasid}'s directory entry. */
    public static long offset(int pasid) {
        return (long) (pasid >>> PASID_SHIFT) * SIZE;
    }
}
