package dev.faultline.core.internal;

import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.internal.log.LogSink;
import java.util.function.Consumer;

/** Builds a pipeline outside a framework; see {@link dev.faultline.core.standalone.StandaloneCore}. */
public final class Pipelines {
    /** The bundle name of handlers registered outside a framework. */
    public static final String STANDALONE_BUNDLE = "standalone";

    private Pipelines() {
    }

    /**
     * A running pipeline (deadline watchdog thread started) with the given settings, validated as Config Admin
     * values are: a bad value falls back to its default and the problem goes to {@code log}.
     */
    public static PipelineControl start(int partialsPerDevice, int partialsTotal, long defaultTimeoutMillis,
            int queueDepth, int logBurst, long logIntervalMillis, boolean preciseTimestamps, Consumer<String> log) {
        Consumer<String> problems = log;
        Settings s = Settings.DEFAULTS
                .withPartials(atLeast("partials.per.device", partialsPerDevice, 1, Settings.DEFAULT_PARTIALS_PER_DEVICE, problems),
                        atLeast("partials.total", partialsTotal, 1, Settings.DEFAULT_PARTIALS_TOTAL, problems))
                .withDefaultTimeoutMillis(atLeast("timeout.default.ms", defaultTimeoutMillis, 1,
                        Settings.DEFAULT_TIMEOUT_MS, problems))
                .withQueueDepth(atLeast("queue.depth", queueDepth, 1, Settings.DEFAULT_QUEUE_DEPTH, problems))
                .withLogRate(atLeast("log.burst", logBurst, 0, Settings.DEFAULT_LOG_BURST, problems),
                        atLeast("log.interval.ms", logIntervalMillis, 0, Settings.DEFAULT_LOG_INTERVAL_MS, problems))
                .withPreciseTimestamps(preciseTimestamps);
        LogSink sink = LogSink.lines(log);
        // outside a framework every handler is the embedder's own: it may serve guests too
        return new Core(s, HandlerPolicy.DEFAULTS.withGuestHandlers(STANDALONE_BUNDLE), Ticker.SYSTEM, sink,
                true);
    }

    private static int atLeast(String name, long value, long min, long fallback, Consumer<String> problems) {
        if (value < min) {
            problems.accept("configuration " + name + " = " + value + " is below its minimum " + min
                    + "; using the default " + fallback);
            return (int) fallback;
        }
        return (int) Math.min(value, Integer.MAX_VALUE);
    }
}
