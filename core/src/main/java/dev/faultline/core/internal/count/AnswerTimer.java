package dev.faultline.core.internal.count;

import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.core.internal.hold.Ticker;
import org.jspecify.annotations.Nullable;

/**
 * Times answers from a group's receipt to its answer, for the groups a device chose to time: reads the core's
 * ticker at both ends and records the latency for all devices and for the handler that answered.
 */
public final class AnswerTimer {
    private final Ticker ticker;
    private final LatencyHistogram all = new LatencyHistogram();

    public AnswerTimer(Ticker ticker) {
        this.ticker = ticker;
    }

    /** The start of a timed group: now, read from the ticker. */
    public long start() {
        return ticker.nanoTime();
    }

    /** Records the answer latency of a group timed from {@code since}, for all devices and, if given, its handler. */
    public void stop(long since, @Nullable LatencyHistogram handler) {
        long nanos = ticker.nanoTime() - since;
        all.record(nanos);
        if (handler != null) {
            handler.record(nanos);
        }
    }

    /** The answer latency over all devices. */
    public AnswerLatency snapshot() {
        return all.snapshot();
    }
}
