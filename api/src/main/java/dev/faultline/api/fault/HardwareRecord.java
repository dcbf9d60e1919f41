package dev.faultline.api.fault;

import java.util.Arrays;

/**
 * The raw hardware record a fault was decoded from, for diagnostics and for guest forwarding
 * (e.g. an SMMUv3 event record of 4 dwords, a VT-d fault recording register of 2 qwords).
 * Handlers must not derive a fault reason from it for host policy; it is there to be shown or forwarded.
 */
public final class HardwareRecord {
    /** No record attached. */
    public static final HardwareRecord NONE = new HardwareRecord("none", new long[0]);

    private final String format;
    private final long[] words;

    private HardwareRecord(String format, long[] words) {
        this.format = format;
        this.words = words;
    }

    /**
     * A record of {@code format} (e.g. {@code smmuv3-event}, {@code vtd-frcd}) holding a copy of {@code words}.
     *
     * @throws IllegalArgumentException if {@code format} is blank
     */
    public static HardwareRecord of(String format, long... words) {
        if (format == null || format.isBlank()) {
            throw new IllegalArgumentException("hardware record format must be named");
        }
        return new HardwareRecord(format, words.clone());
    }

    /** The record format's name. */
    public String format() {
        return format;
    }

    /** The number of 64-bit words. */
    public int size() {
        return words.length;
    }

    /** Word {@code index} (little-endian order as the hardware wrote them). */
    public long word(int index) {
        return words[index];
    }

    /** A copy of the words. */
    public long[] words() {
        return words.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HardwareRecord r && r.format.equals(format) && Arrays.equals(r.words, words);
    }

    @Override
    public int hashCode() {
        return format.hashCode() * 31 + Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(format).append('[');
        for (int i = 0; i < words.length; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("0x%016x", words[i]));
        }
        return sb.append(']').toString();
    }
}
