package dev.faultline.shell.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import java.util.function.IntConsumer;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code faultline:exit}, which the shell's profile finds before {@code System.exit}: leaves the shell by
 * stopping the framework. Under the launcher the status goes to the launcher's exit service (an {@link IntConsumer}
 * with the property {@value #EXIT_SERVICE}{@code =true}, which the launcher registers from outside the framework),
 * which stops the framework and exits with it; without one the framework is stopped.
 */
@Component(service = ExitCommand.class)
@ShellCommands(function = "exit")
public final class ExitCommand {
    /** The property of the launcher's exit service (the launcher's {@code Main.EXIT_SERVICE}). */
    public static final String EXIT_SERVICE = "faultline.launcher.exit";
    static final String USAGE = "[<status>]";

    private final BundleContext context;

    /** The component. */
    @Activate
    public ExitCommand(BundleContext context) {
        this.context = context;
    }

    /** Leaves the shell with {@code status} (0 if none). */
    @Descriptor("leave the shell (and stop Faultline), with an exit status from 0 to 255 (default 0)")
    public void exit(@Descriptor(USAGE) String... arguments) throws BundleException, InvalidSyntaxException {
        CommandArguments args = CommandArguments.parse("exit", USAGE, arguments);
        int status = (int) args.optionalNumber("status", 0, 255).orElse(0);
        for (ServiceReference<IntConsumer> ref : context.getServiceReferences(IntConsumer.class,
                "(" + EXIT_SERVICE + "=true)")) {
            IntConsumer launcher = context.getService(ref);
            if (launcher != null) {
                try {
                    launcher.accept(status);
                    return;
                } finally {
                    context.ungetService(ref);
                }
            }
        }
        context.getBundle(0).stop();
    }
}
