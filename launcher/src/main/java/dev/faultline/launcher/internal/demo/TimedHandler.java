package dev.faultline.launcher.internal.demo;

import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;

/**
 * Measures, for the groups a handler answers inline once the recorder {@link LatencyRecorder#start() started},
 * the wall-clock time from the core's receipt of the group to the handler's answer.
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
        delegate.handle(group);
        if (latency.recording() && group.recoverable() && group.answered()) {
            latency.record(System.nanoTime() - group.reportedNanos());
        }
    }
}
