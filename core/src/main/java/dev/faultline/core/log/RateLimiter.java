package dev.faultline.core.log;

import java.util.function.LongSupplier;

/**
 * Allows at most {@code burst} events per {@code interval}, like Linux's {@code ___ratelimit()}: the first
 * event opens a window; within it, the first {@code burst} events pass and the rest are counted as
 * suppressed; the first event after the window (strictly later than its start plus the interval, as Linux's
 * {@code time_is_before_jiffies(rs->begin + rs->interval)}) opens a new one, and {@link #takeSuppressed()}
 * reports how many were suppressed before it (Linux prints "N callbacks suppressed", as
 * {@link #tryAcquire(LogSink, String)} does).
 *
 * <p>A burst of 0 suppresses everything; an interval of 0 lets everything pass. Thread-safe; never blocks for
 * long (one short critical section per event).
 */
public final class RateLimiter {
    /** Linux {@code DEFAULT_RATELIMIT_BURST}. */
    public static final int DEFAULT_BURST = 10;
    /** Linux {@code DEFAULT_RATELIMIT_INTERVAL} (5 * HZ), in nanoseconds. */
    public static final long DEFAULT_INTERVAL_NANOS = 5_000_000_000L;

    private final int burst;
    private final long intervalNanos;
    private final LongSupplier ticker;
    private long windowStart;
    private boolean windowOpen;
    private int passed;
    private long suppressed;
    private long suppressedBeforeWindow;

    /**
     * A limiter reading time from {@code ticker} (nanoseconds, as {@link System#nanoTime()}).
     *
     * @throws IllegalArgumentException for a negative burst or interval
     */
    public RateLimiter(int burst, long intervalNanos, LongSupplier ticker) {
        if (burst < 0 || intervalNanos < 0) {
            throw new IllegalArgumentException("rate limit burst " + burst + " and interval " + intervalNanos
                    + " ns must not be negative");
        }
        this.burst = burst;
        this.intervalNanos = intervalNanos;
        this.ticker = ticker;
    }

    /** Linux's default: 10 events per 5 seconds of {@link System#nanoTime()}. */
    public static RateLimiter linuxDefault() {
        return new RateLimiter(DEFAULT_BURST, DEFAULT_INTERVAL_NANOS, System::nanoTime);
    }

    /** Whether the event may be logged now; if not, it is counted as suppressed. */
    public synchronized boolean tryAcquire() {
        if (intervalNanos == 0) {
            return true;
        }
        long now = ticker.getAsLong();
        if (!windowOpen || now - windowStart > intervalNanos) { // Linux: time_is_before_jiffies(begin + interval)
            windowOpen = true;
            windowStart = now;
            passed = 0;
            suppressedBeforeWindow += suppressed;
            suppressed = 0;
        }
        if (passed < burst) {
            passed++;
            return true;
        }
        suppressed++;
        return false;
    }

    /**
     * Whether the event may be logged now, reporting suppressions as Linux's {@code ___ratelimit(rs, func)} does:
     * when it may and events were suppressed in earlier windows, {@code log} first gets the warning
     * {@code "<function>: N callbacks suppressed"}. If not, the event is counted as suppressed.
     */
    public boolean tryAcquire(LogSink log, String function) {
        if (!tryAcquire()) {
            return false;
        }
        long n = takeSuppressed();
        if (n > 0) {
            log.warn(function + ": " + n + " callbacks suppressed");
        }
        return true;
    }

    /**
     * The number of events suppressed in earlier windows since the last call, and resets it: a caller that
     * got {@code true} from {@link #tryAcquire()} prints it first when it is not 0.
     */
    public synchronized long takeSuppressed() {
        long n = suppressedBeforeWindow;
        suppressedBeforeWindow = 0;
        return n;
    }

    /** All events suppressed so far in the current window. */
    public synchronized long suppressedInWindow() {
        return suppressed;
    }
}
