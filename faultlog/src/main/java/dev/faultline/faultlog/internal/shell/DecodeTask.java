package dev.faultline.faultlog.internal.shell;

import dev.faultline.faultlog.DecodeCommand;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Component;

/** The launcher's {@code decode} command ({@code ./faultline decode}): the kernel log decoder on the console. */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=decode")
public final class DecodeTask implements ToIntFunction<String[]> {
    private final DecodeCommand command = new DecodeCommand();

    @Override
    public int applyAsInt(String[] args) {
        return command.run(args, System.in, System.out, System.err);
    }
}
