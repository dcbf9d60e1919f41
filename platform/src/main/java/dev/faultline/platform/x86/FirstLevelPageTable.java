package dev.faultline.platform.x86;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.OptionalLong;
import org.jspecify.annotations.Nullable;

/**
 * Builds and edits one x86-64 4-level first-level page table in physical memory (VT-d first-level paging): what
 * a VT-d PASID entry's FLPTR points at. Maps with the largest page the alignment and {@link #maxPageSize()}
 * allow, splits large pages when part of one is unmapped or reprotected, and never frees tables (the
 * allocator does not reuse memory).
 *
 * <p>Intermediate entries are P | R/W | U/S, so the leaf alone decides the access; leaves carry
 * {@link PageProtection#leafBits()} and get A and D from the walk.
 *
 * <p>Thread-safe: edits are serialized, and every change a concurrent walk can see is one aligned 8-byte
 * write of a complete entry (a split builds the new table before linking it).
 */
public final class FirstLevelPageTable {
    /** 4 KiB pages only. */
    public static final long PAGE_4K = 1L << 12;
    /** Up to 2 MiB pages. */
    public static final long PAGE_2M = 1L << 21;
    /** Up to 1 GiB pages (the IOMMU must report CAP.FL1GP). */
    public static final long PAGE_1G = 1L << 30;

    private static final long TABLE_BITS = PagingEntry.PRESENT | PagingEntry.WRITABLE | PagingEntry.USER;
    private static final long LEAF_ATTRIBUTES = PagingEntry.PRESENT | PagingEntry.WRITABLE | PagingEntry.USER
            | PagingEntry.WRITE_THROUGH | PagingEntry.CACHE_DISABLE | PagingEntry.ACCESSED | PagingEntry.DIRTY
            | PagingEntry.GLOBAL | PagingEntry.EXECUTE_DISABLE;
    private static final long LOWER_HALF_END = 1L << 47;

    private final FrameAllocator allocator;
    private final PhysicalMemory memory;
    private final long maxPageSize;
    private final long root;

    /**
     * A new, empty table (one zeroed PML4 page).
     *
     * @param maxPageSize {@link #PAGE_4K}, {@link #PAGE_2M} or {@link #PAGE_1G}
     * @throws IllegalArgumentException for another page size
     */
    public FirstLevelPageTable(FrameAllocator allocator, long maxPageSize) {
        if (maxPageSize != PAGE_4K && maxPageSize != PAGE_2M && maxPageSize != PAGE_1G) {
            throw new IllegalArgumentException("largest page size 0x" + Long.toHexString(maxPageSize)
                    + " is none of 4 KiB, 2 MiB, 1 GiB");
        }
        this.allocator = allocator;
        this.memory = allocator.memory();
        this.maxPageSize = maxPageSize;
        this.root = allocator.allocatePage();
    }

    /** The PML4's physical address (for FLPTR). */
    public long root() {
        return root;
    }

    /** The largest leaf this table uses. */
    public long maxPageSize() {
        return maxPageSize;
    }

    /**
     * Maps {@code [va, va + size)} to {@code [pa, pa + size)}.
     *
     * @throws IllegalArgumentException for unaligned or empty ranges, or a range outside one canonical half
     * @throws IllegalStateException if any page of the range is already mapped (nothing is changed)
     */
    public synchronized void map(long va, long pa, long size, PageProtection protection) {
        checkRange(va, size);
        if ((pa & (PAGE_4K - 1)) != 0 || pa < 0 || pa + size > 1L << PhysicalMemory.ADDRESS_BITS) {
            throw new IllegalArgumentException(String.format(
                    "physical range [0x%x, +0x%x) must be 4 KiB aligned and inside physical memory", pa, size));
        }
        long mapped = firstMapped(va, size);
        if (mapped != -1) {
            throw new IllegalStateException(String.format("0x%x is already mapped", mapped));
        }
        long offset = 0;
        while (offset < size) {
            long page = largestPage(va + offset, pa + offset, size - offset);
            PagingLevel level = leafLevel(page);
            long slot = slot(va + offset, level);
            long bits = protection.leafBits() | (level == PagingLevel.PT ? 0 : PagingEntry.PAGE_SIZE);
            memory.write64(slot, (pa + offset) | bits);
            offset += page;
        }
    }

    /**
     * Unmaps every mapped page in {@code [va, va + size)}; unmapped parts are skipped.
     *
     * @return the number of bytes that were mapped and are no longer
     * @throws IllegalArgumentException for unaligned or empty ranges
     */
    public synchronized long unmap(long va, long size) {
        checkRange(va, size);
        return edit(va, size, null);
    }

    /**
     * Changes the protection of every mapped page in {@code [va, va + size)}; unmapped parts are skipped.
     *
     * @return the number of bytes whose protection was set
     * @throws IllegalArgumentException for unaligned or empty ranges
     */
    public synchronized long protect(long va, long size, PageProtection protection) {
        checkRange(va, size);
        return edit(va, size, protection);
    }

    /** The physical address {@code va} maps to, if it is mapped (a software walk, no A/D update). */
    public synchronized OptionalLong translate(long va) {
        long table = root;
        for (PagingLevel level = PagingLevel.PML4; level != null; level = level.below()) {
            long entry = memory.read64(table + level.index(va) * 8L);
            if ((entry & PagingEntry.PRESENT) == 0) {
                return OptionalLong.empty();
            }
            if (isLeaf(entry, level)) {
                long span = level.entrySpan();
                return OptionalLong.of((entry & PagingEntry.ADDRESS_MASK & -span) | (va & (span - 1)));
            }
            table = entry & PagingEntry.ADDRESS_MASK;
        }
        throw new AssertionError("a PT entry is always a leaf");
    }

    /**
     * The physical address of the entry at {@code level} on {@code va}'s path, if the tables down to that
     * level exist (for inspection, and for tests that corrupt entries on purpose).
     */
    public synchronized OptionalLong entryAddress(long va, PagingLevel level) {
        long table = root;
        for (PagingLevel l = PagingLevel.PML4; ; l = l.below()) {
            long address = table + l.index(va) * 8L;
            if (l == level) {
                return OptionalLong.of(address);
            }
            long entry = memory.read64(address);
            if ((entry & PagingEntry.PRESENT) == 0 || isLeaf(entry, l)) {
                return OptionalLong.empty();
            }
            table = entry & PagingEntry.ADDRESS_MASK;
        }
    }

    private long edit(long va, long size, @Nullable PageProtection protection) {
        long end = va + size;
        long done = 0;
        long cursor = va;
        while (cursor < end) {
            long table = root;
            PagingLevel level = PagingLevel.PML4;
            while (true) {
                long slot = table + level.index(cursor) * 8L;
                long entry = memory.read64(slot);
                long span = level.entrySpan();
                long base = cursor & -span;
                if ((entry & PagingEntry.PRESENT) == 0) {
                    cursor = base + span;
                    break;
                }
                if (isLeaf(entry, level)) {
                    if (cursor == base && end - base >= span) {
                        memory.write64(slot, protection == null ? 0
                                : (entry & ~LEAF_ATTRIBUTES) | protectedBits(entry, protection));
                        done += span;
                        cursor = base + span;
                        break;
                    }
                    entry = split(slot, entry, level);
                }
                table = entry & PagingEntry.ADDRESS_MASK;
                level = level.below();
            }
        }
        return done;
    }

    /** Keeps A, PWT, PCD, G; takes R/W, U/S, XD from {@code protection}; D only while writable. */
    private static long protectedBits(long entry, PageProtection protection) {
        long kept = entry & (PagingEntry.ACCESSED | PagingEntry.WRITE_THROUGH | PagingEntry.CACHE_DISABLE
                | PagingEntry.GLOBAL | (protection.writable() ? PagingEntry.DIRTY : 0));
        return kept | protection.leafBits();
    }

    /** Replaces a large leaf with a table of 512 leaves one level down mapping the same range; returns the new entry. */
    private long split(long slot, long leaf, PagingLevel level) {
        PagingLevel below = level.below();
        long frame = leaf & PagingEntry.ADDRESS_MASK & -level.entrySpan();
        long attributes = leaf & LEAF_ATTRIBUTES;
        long sizeBit = below == PagingLevel.PT ? 0 : PagingEntry.PAGE_SIZE;
        long table = allocator.allocatePage();
        for (int i = 0; i < 512; i++) {
            memory.write64(table + i * 8L, (frame + i * below.entrySpan()) | attributes | sizeBit);
        }
        long entry = table | TABLE_BITS;
        memory.write64(slot, entry);
        return entry;
    }

    /** The address of the entry for {@code va} at {@code level}, creating missing tables on the way. */
    private long slot(long va, PagingLevel level) {
        long table = root;
        for (PagingLevel l = PagingLevel.PML4; l != level; l = l.below()) {
            long address = table + l.index(va) * 8L;
            long entry = memory.read64(address);
            if ((entry & PagingEntry.PRESENT) == 0) {
                entry = allocator.allocatePage() | TABLE_BITS;
                memory.write64(address, entry);
            }
            table = entry & PagingEntry.ADDRESS_MASK;
        }
        return table + level.index(va) * 8L;
    }

    /** The first mapped 4 KiB page in the range, or -1. */
    private long firstMapped(long va, long size) {
        long end = va + size;
        long cursor = va;
        while (cursor < end) {
            long table = root;
            PagingLevel level = PagingLevel.PML4;
            while (true) {
                long entry = memory.read64(table + level.index(cursor) * 8L);
                if ((entry & PagingEntry.PRESENT) == 0) {
                    cursor = (cursor & -level.entrySpan()) + level.entrySpan();
                    break;
                }
                if (isLeaf(entry, level)) {
                    return cursor;
                }
                table = entry & PagingEntry.ADDRESS_MASK;
                level = level.below();
            }
        }
        return -1;
    }

    private long largestPage(long va, long pa, long remaining) {
        for (long page = maxPageSize; page > PAGE_4K; page >>>= 9) {
            if (((va | pa) & (page - 1)) == 0 && remaining >= page) {
                return page;
            }
        }
        return PAGE_4K;
    }

    private static PagingLevel leafLevel(long page) {
        return page == PAGE_1G ? PagingLevel.PDPT : page == PAGE_2M ? PagingLevel.PD : PagingLevel.PT;
    }

    private static boolean isLeaf(long entry, PagingLevel level) {
        return level == PagingLevel.PT || (level != PagingLevel.PML4 && (entry & PagingEntry.PAGE_SIZE) != 0);
    }

    private static void checkRange(long va, long size) {
        if (((va | size) & (PAGE_4K - 1)) != 0 || size <= 0) {
            throw new IllegalArgumentException(String.format(
                    "range [0x%x, +0x%x) must be non-empty and 4 KiB aligned", va, size));
        }
        long last = va + size - 1;
        boolean lower = va >= 0 && last < LOWER_HALF_END && last >= va;
        boolean upper = va >= -LOWER_HALF_END && last >= va && last <= -1L;
        if (!lower && !upper) {
            throw new IllegalArgumentException(String.format(
                    "range [0x%x, +0x%x) is not inside one canonical half of the 48-bit address space", va, size));
        }
    }
}
