package dev.faultline.api.stats;

import java.util.Objects;

/**
 * How long page request groups waited for their answer: from the core's receipt of a group's last request to the
 * answer handed to the backend, by whoever gave it (the handler, inline or deferred, or the core on its behalf).
 *
 * <p>The core times a sample of the groups, not every one: a group is timed when at least a millisecond has passed
 * since the last timed group of its device (so every group at a rate below 1,000 per second and device, and about
 * 1,000 per second under a storm), which keeps the clock reads off the fault path. Percentiles come from a
 * histogram whose buckets are at most 1/16 (6.25 %) wide relative to their values; each is the upper end of the
 * bucket holding it (never above {@link #maxNanos()}).
 *
 * <p>A value: built with {@link #builder()} (or {@link #toBuilder()} from another), compared by its values. New
 * values are added as accessors and builder methods in a minor version; what a builder is not told is 0.
 *
 * @since 1.2
 */
public final class AnswerLatency {
    private static final AnswerLatency NONE = builder().build();

    private final long samples;
    private final long sumNanos;
    private final long maxNanos;
    private final long p50Nanos;
    private final long p99Nanos;

    private AnswerLatency(Builder b) {
        this.samples = b.samples;
        this.sumNanos = b.sumNanos;
        this.maxNanos = b.maxNanos;
        this.p50Nanos = b.p50Nanos;
        this.p99Nanos = b.p99Nanos;
    }

    /** No samples. */
    public static AnswerLatency none() {
        return NONE;
    }

    /** A builder with every value 0. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.samples = samples;
        b.sumNanos = sumNanos;
        b.maxNanos = maxNanos;
        b.p50Nanos = p50Nanos;
        b.p99Nanos = p99Nanos;
        return b;
    }

    /** Groups timed. */
    public long samples() {
        return samples;
    }

    /** The sum of the timed groups' latencies, in nanoseconds. */
    public long sumNanos() {
        return sumNanos;
    }

    /** The longest latency timed, in nanoseconds; 0 without samples. */
    public long maxNanos() {
        return maxNanos;
    }

    /** The median latency, in nanoseconds; 0 without samples. */
    public long p50Nanos() {
        return p50Nanos;
    }

    /** The 99th percentile latency, in nanoseconds; 0 without samples. */
    public long p99Nanos() {
        return p99Nanos;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof AnswerLatency other && samples == other.samples
                && sumNanos == other.sumNanos && maxNanos == other.maxNanos && p50Nanos == other.p50Nanos
                && p99Nanos == other.p99Nanos;
    }

    @Override
    public int hashCode() {
        return Objects.hash(samples, sumNanos, maxNanos, p50Nanos, p99Nanos);
    }

    @Override
    public String toString() {
        return "AnswerLatency[samples=" + samples + ", sumNanos=" + sumNanos + ", maxNanos=" + maxNanos
                + ", p50Nanos=" + p50Nanos + ", p99Nanos=" + p99Nanos + "]";
    }

    /** Collects the values of an {@link AnswerLatency}; not thread-safe. */
    public static final class Builder {
        private long samples;
        private long sumNanos;
        private long maxNanos;
        private long p50Nanos;
        private long p99Nanos;

        private Builder() {
        }

        /** Sets the groups timed. */
        public Builder samples(long value) {
            this.samples = value;
            return this;
        }

        /** Sets the sum of the timed groups' latencies, in nanoseconds. */
        public Builder sumNanos(long value) {
            this.sumNanos = value;
            return this;
        }

        /** Sets the longest latency timed, in nanoseconds. */
        public Builder maxNanos(long value) {
            this.maxNanos = value;
            return this;
        }

        /** Sets the median latency, in nanoseconds. */
        public Builder p50Nanos(long value) {
            this.p50Nanos = value;
            return this;
        }

        /** Sets the 99th percentile latency, in nanoseconds. */
        public Builder p99Nanos(long value) {
            this.p99Nanos = value;
            return this;
        }

        /** The value. */
        public AnswerLatency build() {
            return new AnswerLatency(this);
        }
    }
}
