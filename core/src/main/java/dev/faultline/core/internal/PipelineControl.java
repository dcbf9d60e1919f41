package dev.faultline.core.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import java.util.Map;

/** The pipeline's controls for embedders outside a framework ({@link dev.faultline.core.standalone.StandaloneCore}). */
public interface PipelineControl extends FaultPipeline, FaultStatistics, AutoCloseable {

    /** Adds a handler as the whiteboard would, with its service properties; returns its id. */
    long addHandler(FaultHandler handler, Map<String, ?> properties, String bundle);

    /** Removes a handler: its pending groups are answered INVALID. */
    void removeHandler(long id);

    /** Disconnects every IOMMU (answering their pending groups) and stops the core's threads. */
    @Override
    void close();
}
