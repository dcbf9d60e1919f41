package dev.faultline.platform.x86;

/**
 * The bits of a VT-d second-level paging entry (the EPT-like format of a scalable-mode PASID entry's SLPTPTR,
 * VT-d specification §9.8; Linux {@code DMA_PTE_*}): R and W at every level, PS for a large leaf, the next
 * table or frame in [51:12]. An entry with neither R nor W (nor X) is not present.
 */
public final class SecondLevelEntry {
    /** Bit 0, R: reads allowed ({@code DMA_PTE_READ}). */
    public static final long READ = 1L << 0;
    /** Bit 1, W: writes allowed ({@code DMA_PTE_WRITE}). */
    public static final long WRITE = 1L << 1;
    /** Bit 2, X: execute allowed (with SLEE). */
    public static final long EXECUTE = 1L << 2;
    /** Bit 7, PS: a 1 GiB (SL-PDPE) or 2 MiB (SL-PDE) leaf; reserved in an SL-PML4E ({@code DMA_PTE_LARGE_PAGE}). */
    public static final long PAGE_SIZE = 1L << 7;
    /** Bits [51:12]: the next table or the page frame. */
    public static final long ADDRESS_MASK = 0x000f_ffff_ffff_f000L;

    private SecondLevelEntry() {
    }

    /** Whether the entry is present: R, W or X set. */
    public static boolean present(long entry) {
        return (entry & (READ | WRITE | EXECUTE)) != 0;
    }
}
