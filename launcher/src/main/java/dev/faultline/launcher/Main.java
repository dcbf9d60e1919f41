package dev.faultline.launcher;

import dev.faultline.shell.internal.config.ConfigFile;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;
import org.osgi.framework.BundleException;

/**
 * The {@code faultline} command: starts Faultline in an embedded Felix framework.
 *
 * <ol>
 *   <li>Reads the command line ({@link CommandLine}); {@code --help} prints the usage and stops there.</li>
 *   <li>Checks the configuration file, if one is given ({@link ConfigFile}, from the shell jar on the class
 *       path).</li>
 *   <li>Locates the distribution: the {@code bundle/} directory beside this jar ({@link Distribution}).</li>
 *   <li>Creates the framework with the standard launch API, installs every bundle and starts the framework's
 *       services and the shell bundle ({@link EmbeddedFramework}), and adds a shutdown hook, named
 *       {@value #SHUTDOWN_HOOK}, that stops it.</li>
 *   <li>Applies the configuration through Config Admin (the shell bundle's {@code configure} task, which
 *       returns once Config Admin delivered it), then starts the bundles with components: each component
 *       activates once, with its final configuration.</li>
 *   <li>Runs the command: a task ({@code demo}, {@code decode}, {@code replay}) runs and the framework stops
 *       with the task's exit status; the shell runs until the user leaves it, the framework restarting while
 *       it stops for an update.</li>
 * </ol>
 *
 * <p>Exit status: {@value #OK} success, {@value #TASK_FAILED} the command failed, {@value #USAGE} bad usage or
 * configuration, {@value #STARTUP_FAILED} the framework or a bundle did not start. Every failure prints one line
 * starting {@code faultline:}.
 */
public final class Main {
    /** Success. */
    public static final int OK = 0;
    /** The command ran and failed. */
    public static final int TASK_FAILED = 1;
    /** Bad command line or configuration file. */
    public static final int USAGE = 2;
    /** The framework or one of its bundles did not start. */
    public static final int STARTUP_FAILED = 3;
    /** Name of the thread that stops the framework when the JVM is asked to exit. */
    public static final String SHUTDOWN_HOOK = "faultline-shutdown";
    /** The interface the console's HTTP service listens on (framework property of Felix HTTP Jetty). */
    static final String HTTP_HOST = "org.apache.felix.http.host";
    private static final String JETTY_LEVEL = "org.eclipse.jetty.LEVEL";
    private static final String JETTY_ANNOUNCE = "org.eclipse.jetty.util.log.announce";

    /**
     * Property of the {@link IntConsumer} service through which the shell's {@code exit} command hands over its
     * exit status and stops the framework.
     */
    public static final String EXIT_SERVICE = "faultline.launcher.exit";

    /** How long a command waits for its task service to be registered after start-up. */
    private static final long TASK_WAIT_MS = 15_000;

    private final PrintStream out;
    private final PrintStream err;

    /**
     * @param out where usage and the shell banner go
     * @param err where failures go
     */
    public Main(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    /** Runs the command line and exits the JVM with its status. */
    public static void main(String[] args) {
        System.exit(new Main(System.out, System.err).run(args));
    }

    /**
     * Runs one command line.
     *
     * @return the exit status
     */
    public int run(String... args) {
        CommandLine line;
        try {
            line = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("faultline: " + e.getMessage());
            err.print(CommandLine.usage());
            return USAGE;
        }
        if (line.command().equals(CommandLine.HELP)) {
            out.print(CommandLine.usage());
            return OK;
        }
        try {
            return run(line);
        } catch (LaunchException e) {
            err.println("faultline: " + e.getMessage());
            return e.exitStatus();
        }
    }

    /**
     * The console's HTTP service (Felix HTTP Jetty): on the loopback interface unless the system property
     * {@value #HTTP_HOST} names another; port ({@code org.osgi.service.http.port}, default 8080) and the off switch
     * ({@code org.apache.felix.http.enable=false}) are read from system properties by Jetty itself. Jetty's own log
     * goes to standard error: warnings only, without its start-up banner, unless set otherwise.
     */
    static Map<String, String> httpDefaults() {
        System.setProperty(JETTY_LEVEL, System.getProperty(JETTY_LEVEL, "WARN"));
        System.setProperty(JETTY_ANNOUNCE, System.getProperty(JETTY_ANNOUNCE, "false"));
        return Map.of(HTTP_HOST, System.getProperty(HTTP_HOST, "127.0.0.1"));
    }

    private int run(CommandLine line) throws LaunchException {
        Path config = line.config().map(Path::toAbsolutePath).orElse(null);
        if (config != null) {
            check(config);
        }
        Distribution distribution = Distribution.locate();
        // Gogo: no console for a task; a quiet console (no message of the day) for the shell.
        Map<String, String> properties = new HashMap<>();
        properties.put("gosh.args", line.isTask() ? "--nointeractive" : "--quiet");
        properties.putAll(httpDefaults());
        try (EmbeddedFramework framework = EmbeddedFramework.start(distribution, properties,
                line.deploy(), line.storage())) {
            Thread hook = new Thread(framework::close, SHUTDOWN_HOOK);
            Runtime.getRuntime().addShutdownHook(hook);
            try {
                if (config != null) {
                    int configured = framework.runTask("configure", new String[] {config.toString()}, TASK_WAIT_MS);
                    if (configured != OK) {
                        return configured;
                    }
                }
                framework.startComponents();
                AtomicInteger exitStatus = new AtomicInteger(OK);
                if (!line.isTask()) {
                    IntConsumer exit = status -> {
                        exitStatus.set(status);
                        framework.requestStop();
                    };
                    framework.context().registerService(IntConsumer.class, exit,
                            new Hashtable<>(Map.of(EXIT_SERVICE, Boolean.TRUE)));
                    out.println("Faultline shell: 'help faultline' lists the commands, 'exit' leaves.");
                }
                framework.startShell();
                if (line.isTask()) {
                    return framework.runTask(line.command(), line.arguments().toArray(String[]::new), TASK_WAIT_MS);
                }
                framework.awaitStop();
                return exitStatus.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new LaunchException(TASK_FAILED, "interrupted");
            } catch (BundleException e) {
                throw new LaunchException(STARTUP_FAILED, "the framework did not restart after an update", e);
            } finally {
                removeHook(hook);
            }
        }
    }

    private static void check(Path config) throws LaunchException {
        if (!Files.isReadable(config)) {
            throw new LaunchException(USAGE, "cannot read configuration file " + config);
        }
        try {
            ConfigFile.read(config);
        } catch (IllegalArgumentException e) {
            throw new LaunchException(USAGE, e.getMessage());
        }
    }

    private static void removeHook(Thread hook) {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // the JVM is already shutting down: the hook is running or has run
        }
    }
}
