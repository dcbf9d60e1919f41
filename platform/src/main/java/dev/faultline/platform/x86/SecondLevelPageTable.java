package dev.faultline.platform.x86;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.OptionalLong;

/**
 * Builds one VT-d 4-level second-level table in physical memory ({@link SecondLevelEntry}): the host-owned
 * stage a nested PASID entry's SLPTPTR points at, mapping guest-physical to host physical addresses with 4 KiB
 * and 2 MiB pages. Intermediate entries are R | W, so the leaf decides the access.
 *
 * <p>Thread-safe: edits are serialized and each is one aligned 8-byte write of a complete entry.
 */
public final class SecondLevelPageTable {
    private static final long TABLE_BITS = SecondLevelEntry.READ | SecondLevelEntry.WRITE;
    private static final long PAGE_4K = 1L << 12;
    private static final long PAGE_2M = 1L << 21;

    private final FrameAllocator allocator;
    private final PhysicalMemory memory;
    private final long root;

    /** A new, empty table (one zeroed SL-PML4 page). */
    public SecondLevelPageTable(FrameAllocator allocator) {
        this.allocator = allocator;
        this.memory = allocator.memory();
        this.root = allocator.allocatePage();
    }

    /** The SL-PML4's physical address (for SLPTPTR). */
    public long root() {
        return root;
    }

    /**
     * Maps {@code [gpa, gpa + size)} to {@code [hpa, hpa + size)} with 2 MiB pages where both are 2 MiB aligned.
     *
     * @throws IllegalArgumentException for unaligned or empty ranges, or a range beyond 48 bits
     * @throws IllegalStateException if a page of the range is already mapped (pages before it stay mapped)
     */
    public synchronized void map(long gpa, long hpa, long size, boolean read, boolean write) {
        if (((gpa | hpa | size) & (PAGE_4K - 1)) != 0 || size <= 0 || gpa < 0 || hpa < 0
                || gpa + size > 1L << SecondLevelWalker.INPUT_BITS) {
            throw new IllegalArgumentException(String.format(
                    "range 0x%x -> 0x%x, +0x%x must be 4 KiB aligned, non-empty and within 48 bits", gpa, hpa, size));
        }
        long bits = (read ? SecondLevelEntry.READ : 0) | (write ? SecondLevelEntry.WRITE : 0);
        long done = 0;
        while (done < size) {
            boolean large = ((gpa + done) & (PAGE_2M - 1)) == 0 && ((hpa + done) & (PAGE_2M - 1)) == 0
                    && size - done >= PAGE_2M;
            PagingLevel leaf = large ? PagingLevel.PD : PagingLevel.PT;
            long at = entry(gpa + done, leaf);
            if (SecondLevelEntry.present(memory.read64(at))) {
                throw new IllegalStateException(String.format("0x%x is already mapped", gpa + done));
            }
            memory.write64(at, (hpa + done) | bits | (large ? SecondLevelEntry.PAGE_SIZE : 0));
            done += large ? PAGE_2M : PAGE_4K;
        }
    }

    /** The physical address of the leaf entry mapping {@code gpa}, if it is mapped. */
    public synchronized OptionalLong leafEntryAddress(long gpa) {
        long table = root;
        for (PagingLevel level = PagingLevel.PML4; level != null; level = level.below()) {
            long at = table + level.index(gpa) * 8L;
            long entry = memory.read64(at);
            if (!SecondLevelEntry.present(entry)) {
                return OptionalLong.empty();
            }
            if (level == PagingLevel.PT || (entry & SecondLevelEntry.PAGE_SIZE) != 0) {
                return OptionalLong.of(at);
            }
            table = entry & SecondLevelEntry.ADDRESS_MASK;
        }
        return OptionalLong.empty();
    }

    /** The entry for {@code gpa} at {@code leaf}, creating the tables above it. */
    private long entry(long gpa, PagingLevel leaf) {
        long table = root;
        for (PagingLevel level = PagingLevel.PML4; level != leaf; level = level.below()) {
            long at = table + level.index(gpa) * 8L;
            long entry = memory.read64(at);
            if (!SecondLevelEntry.present(entry)) {
                long next = allocator.allocatePage();
                memory.write64(at, next | TABLE_BITS);
                entry = next | TABLE_BITS;
            } else if ((entry & SecondLevelEntry.PAGE_SIZE) != 0) {
                throw new IllegalStateException(String.format("0x%x is already mapped by a large page", gpa));
            }
            table = entry & SecondLevelEntry.ADDRESS_MASK;
        }
        return table + leaf.index(gpa) * 8L;
    }
}
