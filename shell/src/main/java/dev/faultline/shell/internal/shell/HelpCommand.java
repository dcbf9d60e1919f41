package dev.faultline.shell.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/**
 * {@code faultline:help}, which the shell's profile finds before Gogo's own {@code help}: {@code help faultline}
 * lists every {@code faultline:*} command of every bundle with its arguments and description; {@code help
 * <command>} shows one of them; anything else goes to Gogo's {@code felix:help}.
 */
@Component(service = HelpCommand.class)
@ShellCommands(function = "help")
public final class HelpCommand {
    static final String USAGE = "[--json] [<command>]";
    private static final String SCOPE = "faultline";

    private final BundleContext context;

    /** The component. */
    @Activate
    public HelpCommand(BundleContext context) {
        this.context = context;
    }

    /** The commands of scope {@code faultline}, one of them, or Gogo's help. */
    @Descriptor("'help faultline' lists the faultline commands; 'help <command>' shows one; other names: Gogo's help")
    public String help(@Descriptor(USAGE) String... arguments) throws Exception {
        CommandArguments args = CommandArguments.parse("help", USAGE, arguments);
        Optional<String> name = args.optional("command");
        List<Command> commands = commands();
        if (name.isPresent() && !name.get().equals(SCOPE)) {
            String function = name.get().startsWith(SCOPE + ":") ? name.get().substring(SCOPE.length() + 1)
                    : name.get();
            commands = commands.stream().filter(c -> c.function().equals(function)).toList();
            if (commands.isEmpty()) {
                return gogoHelp(name.get());
            }
        } else if (name.isEmpty() && !args.json()) {
            return gogoHelp(null);
        }
        Table table = Table.of("command", "arguments", "description");
        commands.forEach(c -> table.row(SCOPE + ":" + c.function(), c.usage(), c.description()));
        return Table.render(args.json(), table);
    }

    /** A command as help shows it. */
    record Command(String function, String usage, String description) {
    }

    private List<Command> commands() throws InvalidSyntaxException {
        List<Command> out = new ArrayList<>();
        ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(osgi.command.scope=" + SCOPE + ")");
        for (ServiceReference<?> ref : refs == null ? new ServiceReference<?>[0] : refs) {
            Object service = context.getService(ref);
            if (service == null) {
                continue;
            }
            try {
                for (String function : functions(ref)) {
                    for (Method method : service.getClass().getMethods()) {
                        if (method.getName().equals(function)) {
                            out.add(new Command(function, usage(method), description(method.getAnnotations())));
                        }
                    }
                }
            } finally {
                context.ungetService(ref);
            }
        }
        out.sort(Comparator.comparing(Command::function).thenComparing(Command::usage));
        return out;
    }

    private static List<String> functions(ServiceReference<?> ref) {
        Object value = ref.getProperty("osgi.command.function");
        if (value instanceof String[] array) {
            return List.of(array);
        }
        return value instanceof String single ? List.of(single) : List.of();
    }

    /**
     * The arguments: a command reading its own ({@code String...}) declares its usage line as the descriptor of
     * that parameter; otherwise each parameter's descriptor, in angle brackets.
     */
    private static String usage(Method method) {
        Parameter[] parameters = method.getParameters();
        if (parameters.length == 1 && parameters[0].getType() == String[].class) {
            return description(parameters[0].getAnnotations());
        }
        List<String> parts = new ArrayList<>();
        for (Parameter parameter : parameters) {
            String description = description(parameter.getAnnotations());
            String flag = flagName(parameter.getAnnotations());
            if (flag != null) {
                parts.add("[" + flag + "]");
            } else if (!parameter.getType().getName().startsWith("org.apache.felix.service.command.")) {
                parts.add("<" + (description.isEmpty() ? parameter.getType().getSimpleName() : description) + ">");
            }
        }
        return String.join(" ", parts);
    }

    private static String description(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            if (annotation instanceof Descriptor descriptor) {
                return descriptor.value();
            }
        }
        return "";
    }

    private static String flagName(Annotation[] annotations) {
        for (Annotation annotation : annotations) {
            if (annotation instanceof org.apache.felix.service.command.Parameter parameter) {
                return parameter.names()[0];
            }
        }
        return null;
    }

    /** Gogo's own help ({@code felix:help}), for the commands of other scopes. */
    private String gogoHelp(String name) throws Exception {
        ServiceReference<?>[] refs = context.getAllServiceReferences(null,
                "(&(osgi.command.scope=felix)(osgi.command.function=help))");
        if (refs == null) {
            return name == null ? "'help faultline' lists the faultline commands" : "no command " + name
                    + " ('help faultline' lists the faultline commands)";
        }
        Object basic = context.getService(refs[0]);
        try {
            Method help = name == null ? basic.getClass().getMethod("help")
                    : basic.getClass().getMethod("help", String.class);
            Object text = name == null ? help.invoke(basic) : help.invoke(basic, name);
            return String.valueOf(text);
        } catch (InvocationTargetException e) {
            throw e.getCause() instanceof Exception cause ? cause : e;
        } finally {
            context.ungetService(refs[0]);
        }
    }
}
