package dev.faultline.vtd.internal;

import java.util.function.Consumer;

/**
 * Validated driver settings.
 *
 * @param pageRequestQueueOrder the page request queue holds 2^order 4 KiB pages (Linux {@code PRQ_ORDER} 4)
 * @param invalidationTimeoutNanos how long a submission waits for its invalidation wait to complete
 * @param logBurst lines per rate-limit window (Linux {@code DEFAULT_RATELIMIT_BURST} 10)
 * @param logIntervalNanos the rate-limit window (Linux {@code DEFAULT_RATELIMIT_INTERVAL} 5 s)
 */
public record DriverSettings(int pageRequestQueueOrder, long invalidationTimeoutNanos, int logBurst,
        long logIntervalNanos) {
    public static final DriverSettings DEFAULTS = new DriverSettings(4, 1_000_000_000L, 10, 5_000_000_000L);

    /** Settings from configuration values; a bad value falls back to its default and is reported. */
    public static DriverSettings of(int order, long timeoutMs, int burst, long intervalMs, Consumer<String> problems) {
        if (order < 0 || order > 7) {
            problems.accept("prq.order " + order + " is outside [0, 7] (PQS is 3 bits); using "
                    + DEFAULTS.pageRequestQueueOrder);
            order = DEFAULTS.pageRequestQueueOrder;
        }
        long timeout = timeoutMs * 1_000_000L;
        if (timeoutMs <= 0 || timeoutMs > 60_000) {
            problems.accept("invalidation.timeout.ms " + timeoutMs + " is outside [1, 60000]; using 1000");
            timeout = DEFAULTS.invalidationTimeoutNanos;
        }
        if (burst < 0) {
            problems.accept("log.burst " + burst + " is negative; using " + DEFAULTS.logBurst);
            burst = DEFAULTS.logBurst;
        }
        long interval = intervalMs * 1_000_000L;
        if (intervalMs < 0) {
            problems.accept("log.interval.ms " + intervalMs + " is negative; using 5000");
            interval = DEFAULTS.logIntervalNanos;
        }
        return new DriverSettings(order, timeout, burst, interval);
    }
}
