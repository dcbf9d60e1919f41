package dev.faultline.shell.internal.shell;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Latencies of a load run: a uniform sample of at most {@link #CAPACITY} values (reservoir sampling, seeded, so a
 * run's figures do not depend on chance beyond the machine's timing) for the percentiles, and the exact maximum.
 * One thread records.
 */
final class LatencySample {
    /** Values kept for the percentiles. */
    static final int CAPACITY = 1 << 16;

    private final long[] values = new long[CAPACITY];
    private final SplittableRandom random = new SplittableRandom(CAPACITY);
    private long count;
    private long max;

    void record(long nanos) {
        if (count < CAPACITY) {
            values[(int) count] = nanos;
        } else {
            long slot = random.nextLong(count + 1);
            if (slot < CAPACITY) {
                values[(int) slot] = nanos;
            }
        }
        count++;
        max = Math.max(max, nanos);
    }

    /** Values recorded. */
    long count() {
        return count;
    }

    /** The {@code percent} percentile in nanoseconds (nearest rank), 0 when nothing was recorded. */
    long percentile(double percent) {
        int kept = (int) Math.min(count, CAPACITY);
        if (kept == 0) {
            return 0;
        }
        long[] sorted = Arrays.copyOf(values, kept);
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(percent / 100 * kept);
        return sorted[Math.max(0, Math.min(kept, rank) - 1)];
    }

    /** The largest value recorded, in nanoseconds. */
    long max() {
        return max;
    }
}
