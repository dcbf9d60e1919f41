package dev.faultline.core.internal.count;

import dev.faultline.api.stats.AnswerLatency;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * A histogram of latencies in nanoseconds, recorded from any thread without a lock and without allocating:
 * log-linear buckets, each power of two split into {@value #SUB_BUCKETS} equal parts, so a bucket is at most 1/16 of
 * its values wide (values below {@value #SUB_BUCKETS} ns each have their own). A percentile is the upper end of the
 * bucket holding it, capped at the largest value recorded. Readers sum the buckets with plain atomic reads; a read
 * while values are recorded may be off by those values.
 */
public final class LatencyHistogram {
    /** Buckets per power of two. */
    static final int SUB_BUCKETS = 16;
    private static final int SUB_BITS = 4;
    /** Enough for every non-negative long: exponents 4 to 62 after the first {@value #SUB_BUCKETS} values. */
    static final int BUCKETS = (63 - SUB_BITS) * SUB_BUCKETS + SUB_BUCKETS;

    private final AtomicLongArray counts = new AtomicLongArray(BUCKETS);
    private final AtomicLong sum = new AtomicLong();
    private final AtomicLong max = new AtomicLong();

    /** Records one latency; a negative one (a clock that went back) counts as 0. */
    public void record(long nanos) {
        long v = Math.max(0, nanos);
        counts.getAndIncrement(index(v));
        sum.getAndAdd(v);
        long m = max.get();
        while (v > m && !max.compareAndSet(m, v)) {
            m = max.get();
        }
    }

    /** The bucket of {@code v}, a non-negative value. */
    static int index(long v) {
        if (v < SUB_BUCKETS) {
            return (int) v;
        }
        int exponent = 63 - Long.numberOfLeadingZeros(v);
        int sub = (int) ((v >>> (exponent - SUB_BITS)) & (SUB_BUCKETS - 1));
        return (exponent - SUB_BITS + 1) * SUB_BUCKETS + sub;
    }

    /** The largest value of bucket {@code index}. */
    static long upperBound(int index) {
        if (index < SUB_BUCKETS) {
            return index;
        }
        int exponent = index / SUB_BUCKETS + SUB_BITS - 1;
        long sub = index % SUB_BUCKETS;
        long next = (SUB_BUCKETS + sub + 1) << (exponent - SUB_BITS);
        return next < 0 ? Long.MAX_VALUE : next - 1;
    }

    /** The latencies recorded so far. */
    public AnswerLatency snapshot() {
        long[] c = new long[BUCKETS];
        long total = 0;
        for (int i = 0; i < BUCKETS; i++) {
            c[i] = counts.get(i);
            total += c[i];
        }
        if (total == 0) {
            return AnswerLatency.none();
        }
        long m = max.get();
        return AnswerLatency.builder().samples(total).sumNanos(sum.get()).maxNanos(m)
                .p50Nanos(percentile(c, total, 0.50, m)).p99Nanos(percentile(c, total, 0.99, m)).build();
    }

    private static long percentile(long[] c, long total, double quantile, long max) {
        long rank = Math.max(1, (long) Math.ceil(quantile * total));
        long seen = 0;
        for (int i = 0; i < c.length; i++) {
            seen += c[i];
            if (seen >= rank) {
                return Math.min(upperBound(i), max);
            }
        }
        return max;
    }
}
