package dev.faultline.core.internal;

import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.control.HandlerControl;
import java.util.List;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The core's {@link HandlerControl} as a service of its own, delegating to the core's pipeline (found through its
 * {@link FaultStatistics} service, which it implements). A registration of its own keeps the pipeline's service
 * made of API types only, so a framework that shares the API from outside (an embedding application's class path)
 * still sees it.
 */
@Component(service = HandlerControl.class)
public final class HandlerControlComponent implements HandlerControl {
    private final HandlerControl pipeline;

    /** The controls of {@code statistics}, the core's own (the target filter keeps others out). */
    @Activate
    public HandlerControlComponent(@Reference(target = "(component.name=dev.faultline.core.internal.CoreComponent)")
            FaultStatistics statistics) {
        if (!(statistics instanceof HandlerControl control)) {
            throw new IllegalStateException("the core's FaultStatistics service is not its pipeline");
        }
        this.pipeline = control;
    }

    @Override
    public List<HandlerStatus> release(String handler) {
        return pipeline.release(handler);
    }
}
