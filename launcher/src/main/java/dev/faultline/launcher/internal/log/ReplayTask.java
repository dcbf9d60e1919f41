package dev.faultline.launcher.internal.log;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.faultlog.ReplayCommand;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** The launcher's {@code replay} command: a kernel log's faults replayed through the running core. */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=replay")
public final class ReplayTask implements ToIntFunction<String[]> {
    private final ReplayCommand command;

    /** The component. */
    @Activate
    public ReplayTask(@Reference FaultPipeline pipeline) {
        this.command = new ReplayCommand(pipeline);
    }

    @Override
    public int applyAsInt(String[] args) {
        return command.run(args, System.in, System.out, System.err);
    }
}
