package dev.faultline.platform.memory;

import java.util.concurrent.ConcurrentHashMap;

/**
 * Sparse physical memory: a 52-bit physical address space backed by 4 KiB pages that exist only once
 * written. Reads of never-written memory return zero. Multi-byte accesses are little-endian, as on Arm and
 * x86 IOMMUs; 8-byte accesses must be naturally aligned (table entries and queue records always are), so an
 * access never spans two pages.
 *
 * <p>Thread-safe: aligned 8-byte reads and writes are atomic with respect to each other (a table walker never
 * sees a torn descriptor), and {@link #compareAndSet} supports hardware-style atomic updates (access flag).
 */
public final class PhysicalMemory {
    /** Page size of the backing store (and of both table formats' smallest granule). */
    public static final int PAGE_SIZE = 4096;
    /** Physical addresses are 52 bits wide (Arm LPA / VT-d HAW upper bound). */
    public static final int ADDRESS_BITS = 52;
    private static final long ADDRESS_LIMIT = 1L << ADDRESS_BITS;
    private static final int WORDS_PER_PAGE = PAGE_SIZE / Long.BYTES;

    private final ConcurrentHashMap<Long, long[]> pages = new ConcurrentHashMap<>();

    /** Reads the aligned 64-bit word at {@code address}. */
    public long read64(long address) {
        checkAligned(address, 8);
        long[] page = pages.get(address >>> 12);
        if (page == null) {
            return 0;
        }
        synchronized (page) {
            return page[(int) (address & (PAGE_SIZE - 1)) >>> 3];
        }
    }

    /** Writes the aligned 64-bit word at {@code address}. */
    public void write64(long address, long value) {
        checkAligned(address, 8);
        long[] page = page(address);
        synchronized (page) {
            page[(int) (address & (PAGE_SIZE - 1)) >>> 3] = value;
        }
    }

    /**
     * Atomically replaces the aligned word at {@code address} with {@code update} if it equals {@code expect}.
     *
     * @return whether the word was replaced
     */
    public boolean compareAndSet(long address, long expect, long update) {
        checkAligned(address, 8);
        long[] page = page(address);
        synchronized (page) {
            int i = (int) (address & (PAGE_SIZE - 1)) >>> 3;
            if (page[i] != expect) {
                return false;
            }
            page[i] = update;
            return true;
        }
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
        long[] page = page(address);
        int shift = (int) (address & 4) * 8;
        synchronized (page) {
            int i = (int) (address & (PAGE_SIZE - 1)) >>> 3;
            page[i] = (page[i] & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift);
        }
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
        long[] page = page(address);
        int shift = (int) (address & 7) * 8;
        synchronized (page) {
            int i = (int) (address & (PAGE_SIZE - 1)) >>> 3;
            page[i] = (page[i] & ~(0xffL << shift)) | ((long) (value & 0xff) << shift);
        }
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
        pages.remove(address >>> 12);
    }

    /** How many 4 KiB pages have backing store (a measure of the model's real footprint). */
    public int residentPages() {
        return pages.size();
    }

    private long[] page(long address) {
        return pages.computeIfAbsent(address >>> 12, k -> new long[WORDS_PER_PAGE]);
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
