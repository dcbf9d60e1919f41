package dev.faultline.platform.x86;

/**
 * One 64-bit x86-64 paging-structure entry as VT-d first-level translation reads it (VT-d first-level paging):
 * the bit positions as constants, and a value view for diagnostics and tests.
 *
 * @param value the raw entry
 */
public record PagingEntry(long value) {
    /** Bit 0, P: present ({@code DMA_FL_PTE_PRESENT}). */
    public static final long PRESENT = 1L << 0;
    /** Bit 1, R/W: writable at this level ({@code DMA_PTE_WRITE}). */
    public static final long WRITABLE = 1L << 1;
    /** Bit 2, U/S: user accesses allowed at this level ({@code DMA_FL_PTE_US}). */
    public static final long USER = 1L << 2;
    /** Bit 3, PWT: page-level write-through. */
    public static final long WRITE_THROUGH = 1L << 3;
    /** Bit 4, PCD: page-level cache disable. */
    public static final long CACHE_DISABLE = 1L << 4;
    /** Bit 5, A: accessed, set by the walk ({@code DMA_FL_PTE_ACCESS}). */
    public static final long ACCESSED = 1L << 5;
    /** Bit 6, D: dirty, set on a write through a leaf ({@code DMA_FL_PTE_DIRTY}). */
    public static final long DIRTY = 1L << 6;
    /** Bit 7, PS: a 1 GiB (PDPT) or 2 MiB (PD) leaf; reserved in a PML4 entry; PAT in a 4 KiB PTE ({@code DMA_PTE_LARGE_PAGE}). */
    public static final long PAGE_SIZE = 1L << 7;
    /** Bit 8, G: global (leaf only). */
    public static final long GLOBAL = 1L << 8;
    /** Bit 10, EA: extended accessed (with PASID-entry EAFE = 1). */
    public static final long EXTENDED_ACCESSED = 1L << 10;
    /** Bit 12 of a 1 GiB or 2 MiB leaf: its PAT bit (the frame starts higher). */
    public static final long LARGE_PAT = 1L << 12;
    /** Bit 63, XD: execute-disable. */
    public static final long EXECUTE_DISABLE = 1L << 63;
    /** Bits [51:12]: the next table or the page frame. */
    public static final long ADDRESS_MASK = 0x000f_ffff_ffff_f000L;

    /** Whether P is set. */
    public boolean present() {
        return (value & PRESENT) != 0;
    }

    /** Whether R/W is set. */
    public boolean writable() {
        return (value & WRITABLE) != 0;
    }

    /** Whether U/S is set. */
    public boolean user() {
        return (value & USER) != 0;
    }

    /** Whether A is set. */
    public boolean accessed() {
        return (value & ACCESSED) != 0;
    }

    /** Whether D is set. */
    public boolean dirty() {
        return (value & DIRTY) != 0;
    }

    /** Whether PS is set (a large leaf at PDPT or PD level). */
    public boolean largePage() {
        return (value & PAGE_SIZE) != 0;
    }

    /** Whether XD is set. */
    public boolean executeDisable() {
        return (value & EXECUTE_DISABLE) != 0;
    }

    /** Bits [51:12]: the physical address of the next table or of the 4 KiB frame. */
    public long address() {
        return value & ADDRESS_MASK;
    }

    @Override
    public String toString() {
        return String.format("PagingEntry[0x%016x %s%s%s%s%s%s%s]", value, present() ? "P" : "-",
                writable() ? "W" : "-", user() ? "U" : "-", accessed() ? "A" : "-", dirty() ? "D" : "-",
                largePage() ? "S" : "-", executeDisable() ? "X" : "-");
    }
}
