package dev.faultline.platform.vtd;

/**
 * A scalable-mode root entry (VT-d scalable-mode entries): 16 bytes at RTADDR + 16 × bus. The low qword (LP bit 0,
 * LCTP [63:12]) covers devfn 0x00-0x7F, the high qword (UP bit 0, UCTP [63:12]) devfn 0x80-0xFF; bits [11:1]
 * of each are reserved.
 *
 * @param lowerPresent LP
 * @param lowerContextTable LCTP, the context table for devfn 0x00-0x7F
 * @param upperPresent UP
 * @param upperContextTable UCTP, the context table for devfn 0x80-0xFF
 */
public record RootEntry(boolean lowerPresent, long lowerContextTable, boolean upperPresent, long upperContextTable) {

    /** Entry size in bytes. */
    public static final int SIZE = 16;
    /** Reserved bits [11:1] of each qword. */
    public static final long RESERVED = 0xffeL;

    /**
     * Validates the pointers.
     *
     * @throws IllegalArgumentException for a context table pointer that is not 4 KiB aligned
     */
    public RootEntry {
        if (((lowerContextTable | upperContextTable) & 0xfff) != 0) {
            throw new IllegalArgumentException("context table pointers must be 4 KiB aligned");
        }
    }

    /** Reads the two qwords. */
    public static RootEntry decode(long low, long high) {
        return new RootEntry((low & 1) != 0, low & ~0xfffL, (high & 1) != 0, high & ~0xfffL);
    }

    /** The low qword. */
    public long low() {
        return lowerContextTable | (lowerPresent ? 1 : 0);
    }

    /** The high qword. */
    public long high() {
        return upperContextTable | (upperPresent ? 1 : 0);
    }

    /** Whether either qword sets a reserved bit. */
    public static boolean reservedBitsSet(long low, long high) {
        return ((low | high) & RESERVED) != 0;
    }

    /** The byte offset of {@code bus}'s entry in the root table. */
    public static long offset(int bus) {
        return (long) (bus & 0xff) * SIZE;
    }
}
