package dev.faultline.core.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import java.util.Map;

/**
 * The real core outside a framework, built the way the core's own tests build it: the same pipeline the
 * {@code FaultPipelineComponent} wraps, with handlers added as the whiteboard adds them. The fault path (report,
 * group, route, call, answer, response) is the production code; only registration bypasses DS.
 */
public final class StandaloneCore implements AutoCloseable {
    private final Pipeline pipeline;

    /** A core with default settings except a queue depth of {@code queueDepth} for queued handlers. */
    public StandaloneCore(int queueDepth) {
        pipeline = new Pipeline(Settings.DEFAULTS.withQueueDepth(queueDepth), Ticker.SYSTEM, LogSink.NONE, true);
    }

    /** The fault pipeline backends connect to. */
    public FaultPipeline pipeline() {
        return pipeline;
    }

    /** Adds a handler with whiteboard service properties ({@link dev.faultline.api.handler.HandlerProperties}). */
    public void register(FaultHandler handler, Map<String, ?> properties) {
        pipeline.addHandler(handler, properties, "dev.faultline.benchmarks");
    }

    /** Disconnects every IOMMU and stops the handler and deadline threads. */
    @Override
    public void close() {
        pipeline.close();
    }
}
