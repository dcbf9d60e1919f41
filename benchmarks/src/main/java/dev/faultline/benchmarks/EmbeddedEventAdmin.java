package dev.faultline.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Stream;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventConstants;
import org.osgi.service.event.EventHandler;

/**
 * A real Felix framework with the real Felix EventAdmin bundle (1.6.x) installed and started. The
 * {@code org.osgi.service.event} API is exported by the system bundle from the class path, so the handlers
 * registered here are the classes EventAdmin wires to.
 */
final class EmbeddedEventAdmin implements AutoCloseable {
    /** The EventAdmin deny-list timeout property; any value of 100 ms or less disables timeout handling. */
    static final String TIMEOUT = "org.apache.felix.eventadmin.Timeout";
    /** EventAdmin's default timeout in milliseconds. */
    static final int DEFAULT_TIMEOUT_MS = 5000;

    private static final String BUNDLE = "/bundles/org.apache.felix.eventadmin.jar";

    private final Path storage;
    private final Framework framework;
    private final EventAdmin eventAdmin;

    /** Starts the framework and EventAdmin with a deny-list timeout of {@code timeoutMs}. */
    EmbeddedEventAdmin(int timeoutMs) throws IOException, BundleException {
        storage = Files.createTempDirectory("faultline-bench-felix");
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, "org.osgi.service.event;version=1.4.0");
        config.put(TIMEOUT, Integer.toString(timeoutMs));
        config.put("felix.log.level", "1");
        FrameworkFactory factory = ServiceLoader.load(FrameworkFactory.class).findFirst()
                .orElseThrow(() -> new IllegalStateException("no OSGi framework on the class path"));
        framework = factory.newFramework(config);
        framework.start();
        try {
            BundleContext context = framework.getBundleContext();
            try (InputStream in = EmbeddedEventAdmin.class.getResourceAsStream(BUNDLE)) {
                if (in == null) {
                    throw new IllegalStateException("EventAdmin bundle missing from the class path: " + BUNDLE);
                }
                context.installBundle("eventadmin", in).start();
            }
            ServiceReference<EventAdmin> ref = context.getServiceReference(EventAdmin.class);
            if (ref == null) {
                throw new IllegalStateException("EventAdmin bundle started but registered no EventAdmin");
            }
            eventAdmin = context.getService(ref);
        } catch (IOException | BundleException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The EventAdmin service. */
    EventAdmin eventAdmin() {
        return eventAdmin;
    }

    /** Registers {@code handler} for exactly {@code topics}. */
    void register(EventHandler handler, String[] topics) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(EventConstants.EVENT_TOPIC, topics);
        framework.getBundleContext().registerService(EventHandler.class, handler, props);
    }

    @Override
    public void close() {
        try {
            framework.stop();
            framework.waitForStop(10_000);
        } catch (BundleException e) {
            throw new IllegalStateException("framework did not stop", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deleteTree(storage);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
