package dev.faultline.drivers.msm.internal;

import java.util.function.LongSupplier;

/**
 * Linux's {@code ___ratelimit} for one call site: at most {@code burst} messages per {@code interval}; when a
 * new interval starts after suppressions it emits {@code <site>: N callbacks suppressed}. Linux's default for
 * {@code pr_warn_ratelimited} is 5 s and 10 ({@code DEFAULT_RATELIMIT_INTERVAL}, {@code _BURST}).
 *
 * <p>Thread-safe. Allocates only to build the suppression line.
 */
final class RateLimit {
    /** {@code DEFAULT_RATELIMIT_INTERVAL}: 5 * HZ. */
    static final long DEFAULT_INTERVAL_NANOS = 5_000_000_000L;
    /** {@code DEFAULT_RATELIMIT_BURST}. */
    static final int DEFAULT_BURST = 10;

    private final String site;
    private final long intervalNanos;
    private final int burst;
    private final LongSupplier clock;
    private boolean started;
    private long begin;
    private int printed;
    private int missed;
    private long suppressedTotal;

    RateLimit(String site, long intervalNanos, int burst, LongSupplier clock) {
        if (intervalNanos < 0 || burst < 0) {
            throw new IllegalArgumentException("rate limit interval and burst must not be negative");
        }
        this.site = site;
        this.intervalNanos = intervalNanos;
        this.burst = burst;
        this.clock = clock;
    }

    /**
     * Whether a message may be printed now. Passes {@code <site>: N callbacks suppressed} to {@code sink}
     * first when an interval with suppressions has ended. An interval of 0 disables limiting.
     */
    synchronized boolean allow(MsmLog sink) {
        if (intervalNanos == 0) {
            return true;
        }
        long now = clock.getAsLong();
        if (!started) {
            started = true;
            begin = now;
        }
        if (now - begin > intervalNanos) {
            if (missed > 0) {
                sink.warn(site + ": " + missed + " callbacks suppressed");
            }
            begin = now;
            printed = 0;
            missed = 0;
        }
        if (burst > printed) {
            printed++;
            return true;
        }
        missed++;
        suppressedTotal++;
        return false;
    }

    /** Messages suppressed since creation. */
    synchronized long suppressed() {
        return suppressedTotal;
    }
}
