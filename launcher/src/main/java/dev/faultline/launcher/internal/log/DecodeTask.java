package dev.faultline.launcher.internal.log;

import dev.faultline.faultlog.DecodeCommand;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Component;

/** The launcher's {@code decode} command: the kernel log decoder (faultlog) on the console. */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=decode")
public final class DecodeTask implements ToIntFunction<String[]> {
    private final DecodeCommand command = new DecodeCommand();

    @Override
    public int applyAsInt(String[] args) {
        return command.run(args, System.in, System.out, System.err);
    }
}
