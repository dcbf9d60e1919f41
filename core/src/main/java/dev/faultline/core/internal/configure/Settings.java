package dev.faultline.core.internal.configure;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.core.internal.report.ReportClock;
import java.util.function.Consumer;

/**
 * The core's validated settings ({@link CoreConfig}).
 *
 * @param partialsPerDevice partial page requests parked per device at most
 * @param partialsTotal partial page requests parked in total at most
 * @param defaultTimeoutMillis deadline of held groups of handlers without their own
 * @param timeoutResponse the answer at a deadline
 * @param queueDepth capacity of each queued handler's queue
 * @param queueFullResponse the answer to a group a full queue cannot take
 * @param quarantineAfter consecutive failures (throws, blocking calls) that quarantine a handler; 0 never
 * @param inlineBlockMillis an inline call running longer is counted as slow
 * @param logBurst unhandled-fault lines per device and interval
 * @param logIntervalMillis the rate-limit interval; 0 disables limiting
 * @param preciseTimestamps whether each report reads the system clock ({@link ReportClock})
 */
public record Settings(int partialsPerDevice, int partialsTotal, long defaultTimeoutMillis, ResponseCode timeoutResponse,
        int queueDepth, ResponseCode queueFullResponse, int quarantineAfter, long inlineBlockMillis, int logBurst,
        long logIntervalMillis, boolean preciseTimestamps) {

    public static final int DEFAULT_PARTIALS_PER_DEVICE = 256;
    public static final int DEFAULT_PARTIALS_TOTAL = 8192;
    public static final long DEFAULT_TIMEOUT_MS = 1000;
    public static final int DEFAULT_QUEUE_DEPTH = 256;
    static final int DEFAULT_QUARANTINE_AFTER = 10;
    static final long DEFAULT_INLINE_BLOCK_MS = 100;
    /** Linux {@code DEFAULT_RATELIMIT_BURST}. */
    public static final int DEFAULT_LOG_BURST = 10;
    /** Linux {@code DEFAULT_RATELIMIT_INTERVAL} (5 * HZ). */
    public static final long DEFAULT_LOG_INTERVAL_MS = 5000;

    public static final Settings DEFAULTS = new Settings(DEFAULT_PARTIALS_PER_DEVICE, DEFAULT_PARTIALS_TOTAL,
            DEFAULT_TIMEOUT_MS, ResponseCode.INVALID, DEFAULT_QUEUE_DEPTH, ResponseCode.FAILURE,
            DEFAULT_QUARANTINE_AFTER, DEFAULT_INLINE_BLOCK_MS, DEFAULT_LOG_BURST, DEFAULT_LOG_INTERVAL_MS, false);

    public long defaultTimeoutNanos() {
        return defaultTimeoutMillis * 1_000_000L;
    }

    public long inlineBlockNanos() {
        return inlineBlockMillis * 1_000_000L;
    }

    public long logIntervalNanos() {
        return logIntervalMillis * 1_000_000L;
    }

    /** These settings with a different default timeout (for tests and tools). */
    public Settings withDefaultTimeoutMillis(long millis) {
        return new Settings(partialsPerDevice, partialsTotal, millis, timeoutResponse, queueDepth, queueFullResponse,
                quarantineAfter, inlineBlockMillis, logBurst, logIntervalMillis, preciseTimestamps);
    }

    /** These settings with other partial bounds. */
    public Settings withPartials(int perDevice, int total) {
        return new Settings(perDevice, total, defaultTimeoutMillis, timeoutResponse, queueDepth, queueFullResponse,
                quarantineAfter, inlineBlockMillis, logBurst, logIntervalMillis, preciseTimestamps);
    }

    /** These settings with another queue depth. */
    public Settings withQueueDepth(int depth) {
        return new Settings(partialsPerDevice, partialsTotal, defaultTimeoutMillis, timeoutResponse, depth,
                queueFullResponse, quarantineAfter, inlineBlockMillis, logBurst, logIntervalMillis, preciseTimestamps);
    }

    /** These settings with another quarantine threshold. */
    public Settings withQuarantineAfter(int failures) {
        return new Settings(partialsPerDevice, partialsTotal, defaultTimeoutMillis, timeoutResponse, queueDepth,
                queueFullResponse, failures, inlineBlockMillis, logBurst, logIntervalMillis, preciseTimestamps);
    }

    /** These settings with precise (a clock read per report) or coarse report timestamps. */
    public Settings withPreciseTimestamps(boolean precise) {
        return new Settings(partialsPerDevice, partialsTotal, defaultTimeoutMillis, timeoutResponse, queueDepth,
                queueFullResponse, quarantineAfter, inlineBlockMillis, logBurst, logIntervalMillis, precise);
    }

    /** These settings with another threshold for an inline handler call to count as blocking its IOMMU's thread. */
    public Settings withInlineBlockMillis(long millis) {
        return new Settings(partialsPerDevice, partialsTotal, defaultTimeoutMillis, timeoutResponse, queueDepth,
                queueFullResponse, quarantineAfter, millis, logBurst, logIntervalMillis, preciseTimestamps);
    }

    /** These settings with another log rate limit. */
    public Settings withLogRate(int burst, long intervalMillis) {
        return new Settings(partialsPerDevice, partialsTotal, defaultTimeoutMillis, timeoutResponse, queueDepth,
                queueFullResponse, quarantineAfter, inlineBlockMillis, burst, intervalMillis, preciseTimestamps);
    }

    /**
     * Validates a configuration: each bad value is replaced by its default and described to {@code problems}
     * (property name, value, why).
     */
    public static Settings from(CoreConfig c, Consumer<String> problems) {
        return validated(new Settings(c.partials_per_device(), c.partials_total(), c.timeout_default_ms(),
                code("timeout.response", c.timeout_response(), DEFAULTS.timeoutResponse(), problems), c.queue_depth(),
                code("queue.full.response", c.queue_full_response(), DEFAULTS.queueFullResponse(), problems),
                c.quarantine_after(), c.inline_block_ms(), c.log_burst(), c.log_interval_ms(),
                c.timestamps_precise()), problems);
    }

    /**
     * The one validation of the core's settings, whoever gives them (Config Admin, {@code StandaloneCore}'s builder):
     * each value below its minimum is replaced by its default ({@link #DEFAULTS}) and described to {@code problems}.
     */
    public static Settings validated(Settings s, Consumer<String> problems) {
        Settings d = DEFAULTS;
        return new Settings(
                atLeast("partials.per.device", s.partialsPerDevice(), 1, d.partialsPerDevice(), problems),
                atLeast("partials.total", s.partialsTotal(), 1, d.partialsTotal(), problems),
                atLeast("timeout.default.ms", s.defaultTimeoutMillis(), 1, d.defaultTimeoutMillis(), problems),
                s.timeoutResponse(),
                atLeast("queue.depth", s.queueDepth(), 1, d.queueDepth(), problems),
                s.queueFullResponse(),
                atLeast("quarantine.after", s.quarantineAfter(), 0, d.quarantineAfter(), problems),
                atLeast("inline.block.ms", s.inlineBlockMillis(), 1, d.inlineBlockMillis(), problems),
                atLeast("log.burst", s.logBurst(), 0, d.logBurst(), problems),
                atLeast("log.interval.ms", s.logIntervalMillis(), 0, d.logIntervalMillis(), problems),
                s.preciseTimestamps());
    }

    private static int atLeast(String name, int value, int min, int fallback, Consumer<String> problems) {
        return (int) atLeast(name, (long) value, min, fallback, problems);
    }

    static long atLeast(String name, long value, long min, long fallback, Consumer<String> problems) {
        if (value < min) {
            problems.accept("configuration " + name + " = " + value + " is below its minimum " + min
                    + "; using the default " + fallback);
            return fallback;
        }
        return value;
    }

    /** A response the core may send on its own: INVALID or FAILURE (SUCCESS would make the device retry blindly). */
    private static ResponseCode code(String name, String value, ResponseCode fallback, Consumer<String> problems) {
        String v = value == null ? "" : value.strip().toUpperCase(java.util.Locale.ROOT);
        if (v.equals("INVALID")) {
            return ResponseCode.INVALID;
        }
        if (v.equals("FAILURE")) {
            return ResponseCode.FAILURE;
        }
        problems.accept("configuration " + name + " = '" + value + "' is not INVALID or FAILURE; using the default "
                + fallback);
        return fallback;
    }
}
