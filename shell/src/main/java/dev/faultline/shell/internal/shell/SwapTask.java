package dev.faultline.shell.internal.shell;

import java.util.function.Function;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's {@code swap} task for other bundles (the console's Swap button), found as a
 * {@code Function<String, String>} with {@code faultline.launcher.task=swap} so that they need none of the launcher's
 * packages: swaps the bundle named by the argument (id or symbolic name) for the content it runs now, exactly as
 * {@code faultline:swap} swaps it for a jar (refreshed only when the wiring needs it), and returns one line saying
 * what was done. A failure throws, with the running content put back.
 */
@Component(service = Function.class, property = "faultline.launcher.task=swap")
public final class SwapTask implements Function<String, String> {
    private final SwapCommand command;

    /** The component. */
    @Activate
    public SwapTask(@Reference SwapCommand command) {
        this.command = command;
    }

    @Override
    public String apply(String bundle) {
        try {
            return command.swapInPlace(bundle);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while swapping " + bundle, e);
        }
    }
}
