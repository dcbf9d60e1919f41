package dev.faultline.platform.memory;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.jspecify.annotations.Nullable;

/**
 * Sparse physical memory: a 52-bit physical address space backed by 4 KiB pages that exist only once
 * written. Reads of never-written memory return zero. Multi-byte accesses are little-endian, as on Arm and
 * x86 IOMMUs; 8-byte accesses must be naturally aligned (table entries and queue records always are), so an
 * access never spans two pages.
 *
 * <p>Thread-safe without locks: aligned 8-byte reads and writes are atomic with respect to each other (a table
 * walker never sees a torn descriptor; every word access is a volatile one, so a record written before its queue's
 * producer index is seen complete), narrower writes update their word atomically, and {@link #compareAndSet}
 * supports hardware-style atomic updates (access flag).
 *
 * <p>Reads and writes of memory that is already backed allocate nothing: pages are found through a four-level
 * radix table over the 40-bit page number (four levels of 10 bits), not a map with boxed keys, so a simulated device's
 * table walk and queue traffic produce no garbage.
 */
public final class PhysicalMemory {
    /** Page size of the backing store (and of both table formats' smallest granule). */
    public static final int PAGE_SIZE = 4096;
    /** Physical addresses are 52 bits wide (Arm LPA / VT-d HAW upper bound). */
    public static final int ADDRESS_BITS = 52;
    private static final long ADDRESS_LIMIT = 1L << ADDRESS_BITS;
    private static final int WORDS_PER_PAGE = PAGE_SIZE / Long.BYTES;
    /** Each radix level resolves 10 bits of the 40-bit page number; a node is 1,024 references. */
    private static final int LEVEL_BITS = 10;
    private static final int LEVEL_MASK = (1 << LEVEL_BITS) - 1;
    private static final int LEVELS = (ADDRESS_BITS - 12) / LEVEL_BITS;
    private static final VarHandle WORDS = MethodHandles.arrayElementVarHandle(long[].class);

    private final AtomicReferenceArray<Object> root = new AtomicReferenceArray<>(1 << LEVEL_BITS);
    private final AtomicInteger resident = new AtomicInteger();

    /** Reads the aligned 64-bit word at {@code address}. */
    public long read64(long address) {
        checkAligned(address, 8);
        long[] page = existingPage(address);
        return page == null ? 0 : (long) WORDS.getVolatile(page, word(address));
    }

    /** Writes the aligned 64-bit word at {@code address}. */
    public void write64(long address, long value) {
        checkAligned(address, 8);
        WORDS.setVolatile(page(address), word(address), value);
    }

    /**
     * Atomically replaces the aligned word at {@code address} with {@code update} if it equals {@code expect}.
     *
     * @return whether the word was replaced
     */
    public boolean compareAndSet(long address, long expect, long update) {
        checkAligned(address, 8);
        return WORDS.compareAndSet(page(address), word(address), expect, update);
    }

    /** Reads the aligned 32-bit value at {@code address}, zero-extended. */
    public long read32(long address) {
        checkAligned(address, 4);
        long word = read64(address & ~7L);
        return (word >>> ((address & 4) * 8)) & 0xffff_ffffL;
    }

    /** Writes the aligned 32-bit value at {@code address}. */
    public void write32(long address, int value) {
        checkAligned(address, 4);
        int shift = (int) (address & 4) * 8;
        merge(address, 0xffff_ffffL << shift, (value & 0xffff_ffffL) << shift);
    }

    /** Reads one byte. */
    public int read8(long address) {
        checkAligned(address, 1);
        long word = read64(address & ~7L);
        return (int) (word >>> ((address & 7) * 8)) & 0xff;
    }

    /** Writes one byte. */
    public void write8(long address, int value) {
        checkAligned(address, 1);
        int shift = (int) (address & 7) * 8;
        merge(address, 0xffL << shift, (long) (value & 0xff) << shift);
    }

    /** Copies {@code length} bytes starting at {@code address} (any alignment) into a new array. */
    public byte[] readBytes(long address, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) read8(address + i);
        }
        return out;
    }

    /** Writes {@code data} starting at {@code address} (any alignment). */
    public void writeBytes(long address, byte[] data) {
        for (int i = 0; i < data.length; i++) {
            write8(address + i, data[i]);
        }
    }

    /** Zeroes the 4 KiB page containing {@code address} (drops its backing). */
    public void zeroPage(long address) {
        checkAligned(address, 1);
        AtomicReferenceArray<Object> leaf = leaf(address >>> 12, false);
        if (leaf != null && leaf.getAndSet(leafIndex(address >>> 12), null) != null) {
            resident.decrementAndGet();
        }
    }

    /** How many 4 KiB pages have backing store (a measure of the model's real footprint). */
    public int residentPages() {
        return resident.get();
    }

    /** Replaces the bits of {@code mask} in the word holding {@code address} with {@code bits}, atomically. */
    private void merge(long address, long mask, long bits) {
        long[] page = page(address);
        int i = word(address);
        long old;
        do {
            old = (long) WORDS.getVolatile(page, i);
        } while (!WORDS.compareAndSet(page, i, old, (old & ~mask) | bits));
    }

    private static int word(long address) {
        return (int) (address & (PAGE_SIZE - 1)) >>> 3;
    }

    private static int leafIndex(long pageNumber) {
        return (int) pageNumber & LEVEL_MASK;
    }

    private long @Nullable [] existingPage(long address) {
        long pageNumber = address >>> 12;
        AtomicReferenceArray<Object> leaf = leaf(pageNumber, false);
        return leaf == null ? null : (long[]) leaf.get(leafIndex(pageNumber));
    }

    private long[] page(long address) {
        long pageNumber = address >>> 12;
        AtomicReferenceArray<Object> leaf = leaf(pageNumber, true);
        int i = leafIndex(pageNumber);
        long[] page = (long[]) leaf.get(i);
        if (page != null) {
            return page;
        }
        long[] fresh = new long[WORDS_PER_PAGE];
        if (leaf.compareAndSet(i, null, fresh)) {
            resident.incrementAndGet();
            return fresh;
        }
        // another writer backed the page first (or dropped it again): take whatever is there now
        return page(address);
    }

    /** The leaf node of {@code pageNumber} (its slots hold pages), created on the way when {@code create}. */
    @SuppressWarnings("unchecked")
    private @Nullable AtomicReferenceArray<Object> leaf(long pageNumber, boolean create) {
        AtomicReferenceArray<Object> node = root;
        for (int shift = (LEVELS - 1) * LEVEL_BITS; shift > 0; shift -= LEVEL_BITS) {
            int i = (int) (pageNumber >>> shift) & LEVEL_MASK;
            Object next = node.get(i);
            if (next == null) {
                if (!create) {
                    return null;
                }
                node.compareAndSet(i, null, new AtomicReferenceArray<>(1 << LEVEL_BITS));
                next = node.get(i);
            }
            node = (AtomicReferenceArray<Object>) next;
        }
        return node;
    }

    private static void checkAligned(long address, int size) {
        if (address < 0 || address + size > ADDRESS_LIMIT) {
            throw new IllegalArgumentException(String.format(
                    "physical address 0x%x is outside the %d-bit address space", address, ADDRESS_BITS));
        }
        if ((address & (size - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "%d-byte access at 0x%x is not naturally aligned", size, address));
        }
    }
}
