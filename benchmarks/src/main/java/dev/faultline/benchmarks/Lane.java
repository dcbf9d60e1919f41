package dev.faultline.benchmarks;

/** One benchmark thread's fault source: its record ring, its cursor, its sender. */
final class Lane {
    private final long[] ring;
    private final int mask;
    private final Sender sender;
    private int cursor;

    Lane(long[] ring, Sender sender) {
        if (Integer.bitCount(ring.length) != 1) {
            throw new IllegalArgumentException("ring length must be a power of two");
        }
        this.ring = ring;
        this.mask = ring.length - 1;
        this.sender = sender;
    }

    /** Dispatches the next record; returns its position so that the caller can sink it. */
    int next() {
        int base = cursor;
        cursor = (base + StallRecord.WORDS) & mask;
        sender.dispatch(ring, base);
        return base;
    }
}
