package dev.faultline.core.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.api.stats.PendingGroup;
import dev.faultline.core.control.HandlerControl;
import dev.faultline.core.internal.configure.CoreConfig;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.log.OsgiLogSink;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The core as an OSGi service: {@link FaultPipeline} for backends, {@link FaultStatistics} for everyone, and
 * the whiteboard for {@link FaultHandler} services. Configured by PID {@value #PID} ({@link CoreConfig});
 * a configuration change applies in place, without disconnecting backends.
 */
@Component(service = {FaultPipeline.class, FaultStatistics.class}, configurationPid = CoreComponent.PID,
        immediate = true)
@Designate(ocd = CoreConfig.class)
public final class CoreComponent implements FaultPipeline, FaultStatistics, HandlerControl {
    /** The configuration PID. */
    public static final String PID = "dev.faultline.core";

    private final Core pipeline;

    /** Starts the pipeline with {@code config}; bad values fall back to their defaults and are logged. */
    @Activate
    public CoreComponent(CoreConfig config, @Reference(service = LoggerFactory.class) Logger logger) {
        List<String> problems = new ArrayList<>();
        Settings settings = Settings.from(config, problems::add);
        HandlerPolicy policy = HandlerPolicy.from(config, problems::add);
        pipeline = new Core(settings, policy, Ticker.SYSTEM, new OsgiLogSink(logger), true);
        problems.forEach(pipeline::configurationProblem);
    }

    @Modified
    void modified(CoreConfig config) {
        List<String> problems = new ArrayList<>();
        pipeline.reconfigure(Settings.from(config, problems::add), HandlerPolicy.from(config, problems::add));
        problems.forEach(pipeline::configurationProblem);
    }

    @Deactivate
    void deactivate() {
        pipeline.close();
    }

    @Reference(service = FaultHandler.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC)
    void bindHandler(ServiceReference<FaultHandler> reference, FaultHandler handler) {
        pipeline.addHandler(handler, properties(reference), bundleName(reference));
    }

    void updatedHandler(ServiceReference<FaultHandler> reference) {
        pipeline.updateHandler(serviceId(reference), properties(reference), bundleName(reference));
    }

    void unbindHandler(ServiceReference<FaultHandler> reference) {
        pipeline.removeHandler(serviceId(reference));
    }

    @Override
    public IommuPort connect(IommuBackend backend) {
        return pipeline.connect(backend);
    }

    @Override
    public List<IommuStatus> iommus() {
        return pipeline.iommus();
    }

    @Override
    public AnswerLatency answerLatency() {
        return pipeline.answerLatency();
    }

    @Override
    public FaultCounts totals() {
        return pipeline.totals();
    }

    @Override
    public List<DeviceStatus> devices() {
        return pipeline.devices();
    }

    @Override
    public List<HandlerStatus> handlers() {
        return pipeline.handlers();
    }

    @Override
    public List<PendingGroup> pending() {
        return pipeline.pending();
    }

    @Override
    public List<HandlerStatus> release(String handler) {
        return pipeline.release(handler);
    }

    private static long serviceId(ServiceReference<?> reference) {
        return (Long) reference.getProperty(Constants.SERVICE_ID);
    }

    private static Map<String, Object> properties(ServiceReference<?> reference) {
        Map<String, Object> props = new HashMap<>();
        for (String key : reference.getPropertyKeys()) {
            props.put(key, reference.getProperty(key));
        }
        return props;
    }

    private static String bundleName(ServiceReference<?> reference) {
        Bundle b = reference.getBundle();
        return b == null ? "(unregistered)" : b.getSymbolicName();
    }
}
