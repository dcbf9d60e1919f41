package dev.faultline.benchmarks;

/**
 * The 32-byte SMMUv3 event record every benchmark decodes: an {@code F_TRANSLATION} event of a stalled
 * transaction (IHI 0070 §7.3.2-7.3.21; Linux {@code EVTQ_*} fields). Records live in a {@code long[]} ring,
 * four words each, the way the hardware writes them to the event queue.
 */
final class StallRecord {
    /** Words per record (32 bytes). */
    static final int WORDS = 4;
    /** {@code EVT_ID_TRANSLATION_FAULT}, record bits [7:0]. */
    static final int F_TRANSLATION = 0x10;

    private static final int SID_SHIFT = 32; // EVTQ_0_SID [63:32]
    private static final long STAG_MASK = 0xffffL; // EVTQ_1_STAG [15:0]
    private static final long STALL = 1L << 31; // EVTQ_1_STALL
    private static final int RNW_SHIFT = 35; // EVTQ_1_RnW: 1 = read

    private StallRecord() {
    }

    /** Writes a stalled {@code F_TRANSLATION} record (no SubstreamID) at word {@code base} of {@code ring}. */
    static void write(long[] ring, int base, int streamId, int stag, boolean read, long address) {
        ring[base] = ((long) streamId << SID_SHIFT) | F_TRANSLATION;
        ring[base + 1] = (stag & STAG_MASK) | STALL | (read ? 1L << RNW_SHIFT : 0);
        ring[base + 2] = address;
        ring[base + 3] = 0;
    }

    /** The StreamID, dword 0 [63:32]. */
    static int streamId(long[] ring, int base) {
        return (int) (ring[base] >>> SID_SHIFT);
    }

    /** The stall tag, dword 1 [15:0]. */
    static int stag(long[] ring, int base) {
        return (int) (ring[base + 1] & STAG_MASK);
    }

    /** Whether the transaction was a read (RnW = 1). */
    static boolean read(long[] ring, int base) {
        return ((ring[base + 1] >>> RNW_SHIFT) & 1) != 0;
    }

    /** The faulting input address, dword 2. */
    static long address(long[] ring, int base) {
        return ring[base + 2];
    }
}
