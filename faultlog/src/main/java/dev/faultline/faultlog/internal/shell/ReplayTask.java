package dev.faultline.faultlog.internal.shell;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.faultlog.ReplayCommand;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's {@code replay} command ({@code ./faultline replay}): a kernel log's faults replayed through the
 * running core, and with {@code --map} into the simulated machine's drivers.
 */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=replay")
public final class ReplayTask implements ToIntFunction<String[]> {
    private final FaultPipeline pipeline;
    private final MachineDrivers drivers;

    /** The component. */
    @Activate
    public ReplayTask(@Reference FaultPipeline pipeline, @Reference MachineDrivers drivers) {
        this.pipeline = pipeline;
        this.drivers = drivers;
    }

    @Override
    public int applyAsInt(String[] args) {
        return new ReplayCommand(pipeline, drivers.replayer()).run(args, System.in, System.out, System.err);
    }
}
