package dev.faultline.platform.smmuv3;

import dev.faultline.platform.memory.PhysicalMemory;
import java.util.function.Function;

/**
 * Decoded descriptors (STEs, CDs: the first four doublewords of each 64-byte entry) remembered by their address and raw words, so that a transaction whose
 * descriptor has not changed reuses the decoded value instead of decoding (and allocating) it again.
 *
 * <p>This is not the SMMU's configuration cache: every lookup still reads the descriptor's four doublewords from
 * memory, and a changed word decodes afresh, so what the model translates with is exactly what memory holds, as
 * before (the architecture lets an SMMU cache descriptors until CMD_CFGI_*; this model never relies on that).
 * Direct-mapped by address; not thread-safe (the SMMU calls it under its lock).
 */
final class DecodedDescriptors<T> {
    private static final int WORDS = 4;
    private final Function<long[], T> decoder;
    private final int mask;
    private final long[] addresses;
    private final long[] raw;
    private final Object[] decoded;
    private final long[] scratch = new long[WORDS];

    DecodedDescriptors(int slotsPowerOfTwo, Function<long[], T> decoder) {
        if (Integer.bitCount(slotsPowerOfTwo) != 1) {
            throw new IllegalArgumentException("slots must be a power of two: " + slotsPowerOfTwo);
        }
        this.decoder = decoder;
        this.mask = slotsPowerOfTwo - 1;
        this.addresses = new long[slotsPowerOfTwo];
        this.raw = new long[slotsPowerOfTwo * WORDS];
        this.decoded = new Object[slotsPowerOfTwo];
    }

    /**
     * The direct-mapped slot of a 64-byte descriptor's {@code address} in a table of {@code mask + 1} slots: a
     * multiplicative (Fibonacci) hash of the descriptor's index, so that descriptors at the same offset of tables
     * a power of two apart (the CDs of one PASID under many streams) do not all share a slot.
     */
    static int slotOf(long address, int mask) {
        return (int) ((address >>> 6) * 0x9E37_79B9_7F4A_7C15L >>> 40) & mask;
    }

    /** The descriptor at {@code address} as memory holds it now, decoded. */
    @SuppressWarnings("unchecked")
    T read(PhysicalMemory memory, long address) {
        long w0 = memory.read64(address);
        long w1 = memory.read64(address + 8);
        long w2 = memory.read64(address + 16);
        long w3 = memory.read64(address + 24);
        int slot = slotOf(address, mask);
        int at = slot * WORDS;
        Object known = decoded[slot];
        if (known != null && addresses[slot] == address && raw[at] == w0 && raw[at + 1] == w1 && raw[at + 2] == w2
                && raw[at + 3] == w3) {
            return (T) known;
        }
        scratch[0] = w0;
        scratch[1] = w1;
        scratch[2] = w2;
        scratch[3] = w3;
        T value = decoder.apply(scratch);
        addresses[slot] = address;
        raw[at] = w0;
        raw[at + 1] = w1;
        raw[at + 2] = w2;
        raw[at + 3] = w3;
        decoded[slot] = value;
        return value;
    }
}
