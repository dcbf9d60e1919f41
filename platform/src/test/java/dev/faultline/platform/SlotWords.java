package dev.faultline.platform;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Fuzz input read as the 64-bit words of queue slots, little-endian as the hardware stores them: the bytes a
 * driver finds in queue memory. Missing bytes read as zero, so every input is a whole number of slots.
 */
public final class SlotWords {
    private SlotWords() {
    }

    /** Word {@code index} of {@code input}. */
    public static long word(byte[] input, int index) {
        byte[] eight = new byte[Long.BYTES];
        int from = index * Long.BYTES;
        if (from < input.length) {
            System.arraycopy(input, from, eight, 0, Math.min(Long.BYTES, input.length - from));
        }
        return ByteBuffer.wrap(eight).order(ByteOrder.LITTLE_ENDIAN).getLong();
    }

    /** The first {@code count} words of {@code input}. */
    public static long[] words(byte[] input, int count) {
        long[] out = new long[count];
        for (int i = 0; i < count; i++) {
            out[i] = word(input, i);
        }
        return out;
    }

    /** How many slots of {@code slotWords} words {@code input} fills, at least one. */
    public static int slots(byte[] input, int slotWords) {
        return Math.max(1, (input.length + slotWords * Long.BYTES - 1) / (slotWords * Long.BYTES));
    }
}
