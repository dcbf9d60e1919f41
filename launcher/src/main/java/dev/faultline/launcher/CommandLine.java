package dev.faultline.launcher;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the user asked the launcher for: a command with its arguments, and launcher options.
 *
 * @param command {@code shell} (the default), {@code demo}, {@code decode}, {@code replay} or {@code help}
 * @param arguments the command's own arguments, in order
 * @param config the configuration file to apply through Config Admin, if any
 * @param deploy the directory Apache Felix FileInstall watches for bundles to install, update and uninstall
 *     ({@value #DEFAULT_DEPLOY} in the working directory unless given)
 * @param storage the framework's storage directory, kept after exit, if given; otherwise a temporary one,
 *     deleted at exit
 */
public record CommandLine(String command, List<String> arguments, Optional<Path> config, Path deploy,
        Optional<Path> storage) {

    /** The interactive Gogo shell. */
    public static final String SHELL = "shell";
    /** Usage text. */
    public static final String HELP = "help";

    /** Commands that run a task service inside the framework and exit with its status. */
    static final List<String> TASKS = List.of("demo", "decode", "replay");

    /** The deploy directory when none is given: {@code deploy} in the working directory. */
    public static final String DEFAULT_DEPLOY = "deploy";

    public CommandLine {
        arguments = List.copyOf(arguments);
    }

    /** A command line with the default deploy directory and a temporary storage. */
    public CommandLine(String command, List<String> arguments, Optional<Path> config) {
        this(command, arguments, config, Path.of(DEFAULT_DEPLOY), Optional.empty());
    }

    /**
     * Reads {@code [--config FILE] [--deploy DIR] [--storage DIR] [COMMAND [ARGS...]]}. Options after the command
     * belong to the command.
     *
     * @throws IllegalArgumentException with a message for the user if the line is not of that form
     */
    public static CommandLine parse(String... args) {
        Optional<Path> config = Optional.empty();
        Path deploy = Path.of(DEFAULT_DEPLOY);
        Optional<Path> storage = Optional.empty();
        int i = 0;
        while (i < args.length && args[i].startsWith("-")) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                return new CommandLine(HELP, List.of(), config);
            }
            String what = switch (option) {
                case "--config" -> "a file";
                case "--deploy", "--storage" -> "a directory";
                default -> throw new IllegalArgumentException("unknown option " + option);
            };
            if (i + 1 >= args.length || args[i + 1].isEmpty()) {
                throw new IllegalArgumentException(option + " needs " + what);
            }
            Path value = Path.of(args[i + 1]);
            switch (option) {
                case "--config" -> config = Optional.of(value);
                case "--deploy" -> deploy = value;
                default -> storage = Optional.of(value);
            }
            i += 2;
        }
        if (i == args.length) {
            return new CommandLine(SHELL, List.of(), config, deploy, storage);
        }
        String command = args[i];
        if (!command.equals(SHELL) && !command.equals(HELP) && !TASKS.contains(command)) {
            throw new IllegalArgumentException("unknown command '" + command + "'");
        }
        List<String> rest = new ArrayList<>(List.of(args).subList(i + 1, args.length));
        return new CommandLine(command, rest, config, deploy, storage);
    }

    /** Whether the command runs a task service and exits, rather than opening the shell. */
    public boolean isTask() {
        return TASKS.contains(command);
    }

    /** The usage text. */
    public static String usage() {
        return """
                usage: faultline [--config FILE] [COMMAND [ARGS]]

                commands:
                  (none), shell          open the interactive Gogo shell (type 'help faultline', 'exit' to leave)
                  demo                   run the demo scenario and print its summary
                  decode [--json] [FILE] decode IOMMU fault lines of a kernel log (FILE or standard input)
                  replay [OPTIONS] FILE  replay the faults of a kernel log through the running pipeline
                                         (replay --help lists the options)
                  help, --help           this text

                options:
                  --config FILE          apply FILE through Config Admin before the command runs
                                         (sections [pid] or [factoryPid~name], lines key = value)
                  --deploy DIR           the directory watched for bundles (default ./deploy): a jar dropped
                                         there is installed and started, replaced: updated, removed: uninstalled
                  --storage DIR          keep the framework in DIR: bundles installed (by hand or through the
                                         deploy directory) and configurations survive exit (default: a
                                         temporary directory, deleted at exit)
                exit status: 0 success, 1 the command failed, 2 bad usage or configuration, 3 start-up failed
                """;
    }
}
