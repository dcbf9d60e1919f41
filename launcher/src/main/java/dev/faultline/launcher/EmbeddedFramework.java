package dev.faultline.launcher;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.function.ToIntFunction;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.util.tracker.ServiceTracker;

/**
 * One embedded OSGi framework holding a {@link Distribution}, started with the standard launch API
 * ({@link FrameworkFactory} from {@link ServiceLoader}, {@code init}, install, {@code start}).
 *
 * <p><b>Tasks.</b> Bundles offer command-line tasks as services of type {@link ToIntFunction}{@code <String[]>}
 * with the property {@value #TASK_PROPERTY} naming the task; the function gets the task's arguments and returns
 * the exit status. Only {@code java.*} types cross between the launcher's class path and the bundles.
 *
 * <p><b>Start order.</b> {@link #start} starts the framework's services (Declarative Services, Config Admin,
 * Metatype, the log, Gogo) and the shell bundle ({@value Distribution#SHELL_BUNDLE}), whose {@code configure} task
 * writes the configuration;
 * {@link #startComponents()} then starts the bundles with Declarative Services components. Each component
 * thus activates once, with its final configuration: no device is announced, removed and announced again,
 * and no service a command found is replaced under it by a configuration arriving late.
 *
 * <p>Not thread-safe: one thread starts, runs and closes it; {@link #requestStop()} may come from any thread.
 */
public final class EmbeddedFramework implements AutoCloseable {
    /** Service property naming a task service. */
    public static final String TASK_PROPERTY = "faultline.launcher.task";

    private static final long STOP_TIMEOUT_MS = 10_000;
    private static final String SHELL_BUNDLE = "org.apache.felix.gogo.shell";
    /** The manifest header listing a bundle's Declarative Services components. */
    private static final String SERVICE_COMPONENT = "Service-Component";

    /** The Gogo shell's profile, written to {@code gosh.home}{@code /etc/gosh_profile} (Gogo's own place). */
    private static final String SHELL_PROFILE = "gosh_profile";

    private final Framework framework;
    private final Path home;
    private final List<Bundle> components = new ArrayList<>();

    private EmbeddedFramework(Framework framework, Path home) {
        this.framework = framework;
        this.home = home;
    }

    /**
     * Creates the framework, installs every bundle of {@code distribution} and starts them all but the component
     * bundles ({@link #startComponents()}), the deploy directory's watcher and the shell ({@link #startShell()}).
     *
     * @param properties framework properties added to the defaults (storage, clean on first init)
     * @param deploy the directory Felix FileInstall watches (created if absent)
     * @param storage the framework storage to keep across runs; empty for a temporary one deleted at exit
     * @throws LaunchException naming the bundle that failed to install, resolve or start
     */
    public static EmbeddedFramework start(Distribution distribution, Map<String, String> properties, Path deploy,
            Optional<Path> storage) throws LaunchException {
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst().orElseThrow(() ->
                new LaunchException(Main.STARTUP_FAILED, "no OSGi framework on the class path (lib/ is missing"
                        + " org.apache.felix.framework.jar)"));
        Optional<Path> kept = storage.isPresent()
                ? Optional.of(directory(storage.get(), "framework storage")) : Optional.empty();
        Path watched = directory(deploy, "deploy");
        Path home;
        try {
            home = Files.createTempDirectory("faultline-felix-");
            writeShellProfile(home.resolve("gosh"));
        } catch (IOException e) {
            throw new LaunchException(Main.STARTUP_FAILED, "cannot create the framework storage directory", e);
        }
        Map<String, String> config = new HashMap<>();
        if (kept.isPresent()) {
            config.put(Constants.FRAMEWORK_STORAGE, kept.get().toString());
        } else {
            config.put(Constants.FRAMEWORK_STORAGE, home.resolve("cache").toString());
            config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        }
        config.put("gosh.home", home.resolve("gosh").toString());
        config.putAll(DeployDirectory.properties(watched));
        config.putAll(properties);
        Framework framework = factory.newFramework(config);
        EmbeddedFramework embedded = new EmbeddedFramework(framework, home);
        try {
            framework.init();
            List<Bundle> installed = embedded.install(distribution.bundleLocations());
            DeployDirectory.uninstallRemoved(framework.getBundleContext(), watched);
            embedded.holdBack(installed);
            framework.start();
            embedded.startAll(installed);
            return embedded;
        } catch (BundleException e) {
            embedded.close();
            throw new LaunchException(Main.STARTUP_FAILED, "the framework did not start", e);
        } catch (LaunchException | RuntimeException e) {
            embedded.close();
            throw e;
        }
    }

    /** {@code path} as an absolute directory, created if absent. */
    private static Path directory(Path path, String what) throws LaunchException {
        Path absolute = path.toAbsolutePath();
        try {
            return Files.createDirectories(absolute);
        } catch (IOException e) {
            throw new LaunchException(Main.USAGE, "cannot use " + absolute + " as the " + what + " directory ("
                    + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage()) + ")");
        }
    }

    private static void writeShellProfile(Path goshHome) throws IOException {
        Path etc = Files.createDirectories(goshHome.resolve("etc"));
        try (InputStream profile = EmbeddedFramework.class.getResourceAsStream(SHELL_PROFILE)) {
            if (profile == null) {
                throw new IOException("the launcher jar has no " + SHELL_PROFILE);
            }
            Files.copy(profile, etc.resolve(SHELL_PROFILE));
        }
    }

    /**
     * Installs each location; in a kept storage, a bundle already installed from that location is updated when
     * its file is newer than what the storage holds (the distribution was rebuilt).
     */
    private List<Bundle> install(List<String> locations) throws LaunchException {
        BundleContext context = framework.getBundleContext();
        List<Bundle> installed = new ArrayList<>();
        for (String location : locations) {
            try {
                Bundle bundle = context.installBundle(location);
                if (newerThanInstalled(location, bundle)) {
                    bundle.update();
                }
                installed.add(bundle);
            } catch (BundleException e) {
                throw new LaunchException(Main.STARTUP_FAILED, "cannot install " + location, e);
            }
        }
        return installed;
    }

    private static boolean newerThanInstalled(String location, Bundle bundle) {
        if (!location.startsWith("file:")) {
            return false;
        }
        try {
            return Files.getLastModifiedTime(Path.of(URI.create(location))).toMillis() > bundle.getLastModified();
        } catch (IOException | IllegalArgumentException e) {
            return false;
        }
    }

    /**
     * Clears the persistent start of the bundles {@link #startAll} leaves for later, which a kept storage
     * remembers from the last run: the framework's start would otherwise start them before the configuration.
     */
    private void holdBack(List<Bundle> installed) throws BundleException {
        for (Bundle bundle : installed) {
            if (startsLater(bundle)) {
                bundle.stop();
            }
        }
    }

    private static boolean startsLater(Bundle bundle) {
        return bundle.getHeaders().get(Constants.FRAGMENT_HOST) == null
                && !Distribution.SHELL_BUNDLE.equals(bundle.getSymbolicName())
                && (SHELL_BUNDLE.equals(bundle.getSymbolicName())
                        || DeployDirectory.WATCHER_BUNDLE.equals(bundle.getSymbolicName())
                        || bundle.getHeaders().get(SERVICE_COMPONENT) != null);
    }

    /**
     * Starts every bundle but fragments, the shell, whose console {@link #startShell()} opens later, and the
     * bundles with Declarative Services components other than the shell bundle (whose {@code configure} task writes
     * the configuration) and the deploy directory's watcher, which {@link #startComponents()} starts once the
     * configuration is written.
     */
    private void startAll(List<Bundle> bundles) throws LaunchException {
        for (Bundle bundle : bundles) {
            if (bundle.getHeaders().get(Constants.FRAGMENT_HOST) != null
                    || SHELL_BUNDLE.equals(bundle.getSymbolicName())) {
                continue;
            }
            if (startsLater(bundle)) {
                components.add(bundle);
            } else {
                start(bundle);
            }
        }
    }

    /**
     * Starts the bundles with Declarative Services components (in install order), after the configuration was
     * written: their components activate with it; then the deploy directory's watcher, whose bundles thus find
     * the core and the machine configured.
     *
     * @throws LaunchException naming the bundle that did not start
     */
    public void startComponents() throws LaunchException {
        for (Bundle bundle : components) {
            if (!DeployDirectory.WATCHER_BUNDLE.equals(bundle.getSymbolicName())) {
                start(bundle);
            }
        }
        for (Bundle bundle : components) {
            if (DeployDirectory.WATCHER_BUNDLE.equals(bundle.getSymbolicName())) {
                start(bundle);
            }
        }
    }

    /**
     * Starts the Gogo shell bundle, once everything else is started and configured: with a console, the shell
     * reads standard input from then on (and stops the framework at its end).
     *
     * @throws LaunchException if the shell does not start
     */
    public void startShell() throws LaunchException {
        for (Bundle bundle : context().getBundles()) {
            if (SHELL_BUNDLE.equals(bundle.getSymbolicName())) {
                start(bundle);
            }
        }
    }

    private static void start(Bundle bundle) throws LaunchException {
        try {
            bundle.start();
        } catch (BundleException e) {
            throw new LaunchException(Main.STARTUP_FAILED, "bundle " + bundle.getSymbolicName() + " "
                    + bundle.getVersion() + " did not start", e);
        }
    }

    /** The system bundle's context. */
    public BundleContext context() {
        return framework.getBundleContext();
    }

    /**
     * Runs the task service named {@code name}, waiting for it to be registered (components start
     * asynchronously).
     *
     * @return the task's exit status
     * @throws LaunchException if no such task is registered within {@code waitMillis} or the task throws
     */
    public int runTask(String name, String[] arguments, long waitMillis) throws LaunchException {
        ServiceTracker<Object, Object> tracker;
        try {
            tracker = new ServiceTracker<>(context(), FrameworkUtil.createFilter("(&(objectClass="
                    + ToIntFunction.class.getName() + ")(" + TASK_PROPERTY + "=" + name + "))"), null);
        } catch (InvalidSyntaxException e) {
            throw new LaunchException(Main.USAGE, "bad task name '" + name + "'", e);
        }
        tracker.open();
        try {
            Object service = tracker.waitForService(waitMillis);
            if (service == null) {
                throw new LaunchException(Main.STARTUP_FAILED, "no bundle offers the '" + name + "' command (waited "
                        + waitMillis + " ms; see the log lines above)");
            }
            @SuppressWarnings("unchecked")
            ToIntFunction<String[]> task = (ToIntFunction<String[]>) service;
            return task.applyAsInt(arguments);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LaunchException(Main.TASK_FAILED, "interrupted while waiting for the '" + name + "' command");
        } catch (RuntimeException e) {
            throw new LaunchException(Main.TASK_FAILED, "the '" + name + "' command failed", e);
        } finally {
            tracker.close();
        }
    }

    /**
     * Waits until the framework stops (for example when the shell exits), restarting it while it stops for a
     * framework update ({@link FrameworkEvent#STOPPED_UPDATE}).
     *
     * @return the final stop event
     */
    public FrameworkEvent awaitStop() throws InterruptedException, BundleException {
        FrameworkEvent event = framework.waitForStop(0);
        while (event.getType() == FrameworkEvent.STOPPED_UPDATE) {
            framework.start();
            event = framework.waitForStop(0);
        }
        return event;
    }

    /** Asks the framework to stop; returns at once. */
    public void requestStop() {
        try {
            framework.stop();
        } catch (BundleException e) {
            throw new IllegalStateException("the framework did not accept the stop request", e);
        }
    }

    /** Stops the framework, waits for it (bounded) and deletes its temporary directory. Idempotent. */
    @Override
    public void close() {
        try {
            if ((framework.getState() & (Bundle.STARTING | Bundle.ACTIVE | Bundle.STOPPING)) != 0) {
                framework.stop();
            }
            framework.waitForStop(STOP_TIMEOUT_MS);
        } catch (BundleException e) {
            throw new IllegalStateException("the framework did not stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteStorage();
        }
    }

    private void deleteStorage() {
        if (!Files.exists(home)) {
            return;
        }
        try (Stream<Path> files = Files.walk(home)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is harmless; the next run uses a new one
        }
    }
}
