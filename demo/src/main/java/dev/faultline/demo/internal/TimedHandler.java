package dev.faultline.demo.internal;

import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;

/**
 * Measures, for the groups handed to a handler once the recorder {@link LatencyRecorder#start() started} and
 * answered inline, the wall-clock time from the core's receipt of the group to the handler's answer.
 */
final class TimedHandler implements FaultHandler {
    private final FaultHandler delegate;
    private final LatencyRecorder latency;

    TimedHandler(FaultHandler delegate, LatencyRecorder latency) {
        this.delegate = delegate;
        this.latency = latency;
    }

    @Override
    public void handle(FaultGroup group) {
        // read before the call: the answer lets the device go on, so a group handed over before the recorder
        // started can still be here, past its answer, when the next step starts it
        boolean measured = latency.recording();
        delegate.handle(group);
        if (measured && group.recoverable() && group.answered()) {
            latency.record(System.nanoTime() - group.reportedNanos());
        }
    }
}
