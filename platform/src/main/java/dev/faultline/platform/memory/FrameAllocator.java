package dev.faultline.platform.memory;

/**
 * Hands out zeroed, naturally aligned blocks of physical memory from a region, for page tables, stream and
 * context tables, and hardware queues. A bump allocator: freed blocks are not reused, which keeps the
 * model deterministic (the same sequence of requests yields the same addresses).
 *
 * <p>Thread-safe.
 */
public final class FrameAllocator {
    private final PhysicalMemory memory;
    private final long limit;
    private long next;

    /**
     * An allocator for {@code [base, base + size)}.
     *
     * @throws IllegalArgumentException if the region is not page-aligned or not inside physical memory
     */
    public FrameAllocator(PhysicalMemory memory, long base, long size) {
        if ((base & (PhysicalMemory.PAGE_SIZE - 1)) != 0 || size <= 0
                || base + size > (1L << PhysicalMemory.ADDRESS_BITS)) {
            throw new IllegalArgumentException(String.format(
                    "allocator region [0x%x, +0x%x) must be page-aligned and inside physical memory", base, size));
        }
        this.memory = memory;
        this.next = base;
        this.limit = base + size;
    }

    /** The memory blocks are allocated from. */
    public PhysicalMemory memory() {
        return memory;
    }

    /** One zeroed 4 KiB frame. */
    public long allocatePage() {
        return allocate(PhysicalMemory.PAGE_SIZE, PhysicalMemory.PAGE_SIZE);
    }

    /**
     * A zeroed block of {@code size} bytes aligned to {@code alignment} (a power of two).
     *
     * @throws IllegalStateException when the region is exhausted
     */
    public synchronized long allocate(long size, long alignment) {
        if (alignment <= 0 || Long.bitCount(alignment) != 1 || size <= 0) {
            throw new IllegalArgumentException("size " + size + " / alignment " + alignment
                    + ": alignment must be a power of two and size positive");
        }
        long start = (next + alignment - 1) & -alignment;
        if (start + size > limit || start + size < start) {
            throw new IllegalStateException(String.format(
                    "frame allocator exhausted: need 0x%x bytes, 0x%x left", size, limit - next));
        }
        next = start + size;
        for (long page = start & -PhysicalMemory.PAGE_SIZE; page < start + size; page += PhysicalMemory.PAGE_SIZE) {
            memory.zeroPage(page);
        }
        return start;
    }
}
