package dev.faultline.soak;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Stream;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.util.tracker.ServiceTracker;

/**
 * A real Felix framework under Surefire ({@code FrameworkFactory}) running the real bundles from {@code bundles.dir}:
 * the core, both backends, SCR, the log service and their APIs. The test class path stands for the machine: the
 * API, the platform (the simulated hardware) and the backends' exported packages are exported by the system
 * bundle ({@code org.osgi.framework.system.packages.extra}), so the test and the bundles share those classes
 * (P17); everything else the bundles keep to themselves, so updating a bundle replaces its code.
 */
final class EmbeddedFelix implements AutoCloseable {
    static final Duration WAIT = Duration.ofSeconds(20);
    /** Packages of the class path (API, platform) the bundles share with the test. */
    private static final List<Class<?>> SHARED_FROM_CLASS_PATH = List.of(dev.faultline.api.fault.Fault.class,
            dev.faultline.platform.machine.Machine.class);
    /**
     * The backends' service APIs, which each backend bundle both exports and imports: offered by the system bundle
     * at the bundle's own version with a qualifier, which ranks higher, so the resolver wires every revision of the
     * backends to the copies the test shares rather than to their own.
     */
    private static final List<Class<?>> SHARED_BACKEND_APIS = List.of(dev.faultline.smmuv3.SmmuDomains.class,
            dev.faultline.vtd.VtdIommu.class);

    final Framework framework;
    final BundleContext context;
    private final Map<String, Bundle> bundles = new LinkedHashMap<>();
    private final Map<String, byte[]> jars = new HashMap<>();

    /** Starts the framework with its storage in {@code storage} and installs and starts every bundle. */
    EmbeddedFelix(Path storage) throws IOException, BundleException {
        Map<String, String> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, storage.toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        StringBuilder extra = new StringBuilder();
        for (Class<?> c : SHARED_FROM_CLASS_PATH) {
            exports(c).forEach((p, v) -> extra.append(extra.length() == 0 ? "" : ",").append(p).append(";version=")
                    .append(v));
        }
        for (Class<?> c : SHARED_BACKEND_APIS) {
            String p = c.getPackageName();
            extra.append(',').append(p).append(";version=").append(exports(c).get(p)).append(".shared");
        }
        config.put(Constants.FRAMEWORK_SYSTEMPACKAGES_EXTRA, extra.toString());
        framework = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(config);
        framework.init();
        framework.start();
        context = framework.getBundleContext();
        Path dir = Path.of(System.getProperty("bundles.dir", "target/bundles"));
        try (Stream<Path> files = Files.list(dir)) {
            for (Path jar : files.filter(f -> f.toString().endsWith(".jar")).sorted().toList()) {
                byte[] bytes = Files.readAllBytes(jar);
                Bundle b = context.installBundle(jar.toUri().toString(), new ByteArrayInputStream(bytes));
                bundles.put(b.getSymbolicName(), b);
                jars.put(b.getSymbolicName(), bytes);
            }
        }
    }

    /**
     * The packages the module of {@code type} exports, with their versions, read from its manifest (the jar on
     * the class path, as {@code verify} runs the tests).
     */
    static Map<String, String> exports(Class<?> type) throws IOException {
        Path location;
        try {
            location = Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        Manifest manifest;
        if (Files.isDirectory(location)) {
            try (var in = Files.newInputStream(location.resolve("META-INF/MANIFEST.MF"))) {
                manifest = new Manifest(in);
            }
        } else {
            try (var jar = new java.util.jar.JarFile(location.toFile())) {
                manifest = jar.getManifest();
            }
        }
        Map<String, String> out = new LinkedHashMap<>();
        String header = manifest.getMainAttributes().getValue(Constants.EXPORT_PACKAGE);
        // clauses are separated by commas outside quotes: pkg;version="1.0.0";uses:="a,b"
        for (String clause : header.split(",(?=(?:[^\"]*\"[^\"]*\")*[^\"]*$)")) {
            String[] parts = clause.split(";");
            String version = "0.0.0";
            for (String part : parts) {
                if (part.startsWith("version=")) {
                    version = part.substring("version=".length()).replace("\"", "");
                }
            }
            out.put(parts[0].strip(), version);
        }
        return out;
    }

    /** Starts every installed bundle (after the test registered the machine's services). */
    void startAll() throws BundleException {
        for (Bundle b : bundles.values()) {
            if (b.getHeaders().get(Constants.FRAGMENT_HOST) == null) {
                b.start();
            }
        }
    }

    /** The bundle of symbolic name {@code bsn}. */
    Bundle bundle(String bsn) {
        Bundle b = bundles.get(bsn);
        if (b == null) {
            throw new IllegalArgumentException("no bundle " + bsn + " in " + bundles.keySet());
        }
        return b;
    }

    /** Installs and starts a bundle built by the test. */
    Bundle install(String location, byte[] jar) throws BundleException {
        Bundle b = context.installBundle(location, new ByteArrayInputStream(jar));
        bundles.put(b.getSymbolicName(), b);
        jars.put(b.getSymbolicName(), jar);
        b.start();
        return b;
    }

    /**
     * Hot swap: stops {@code bsn}, updates it to the same jar with Bundle-Version {@code version} and
     * {@code headers} changed, refreshes the wiring (which restarts the bundles wired to it) and starts it.
     *
     * @param whileStopped runs between the stop and the update (the gap)
     */
    void update(String bsn, String version, Map<String, String> headers, Runnable whileStopped)
            throws BundleException, InterruptedException {
        Bundle b = bundle(bsn);
        b.stop();
        whileStopped.run();
        b.update(new ByteArrayInputStream(withManifest(jars.get(bsn), version, headers)));
        CountDownLatch refreshed = new CountDownLatch(1);
        framework.adapt(FrameworkWiring.class).refreshBundles(List.of(b), event -> {
            if (event.getType() == FrameworkEvent.PACKAGES_REFRESHED) {
                refreshed.countDown();
            }
        });
        if (!refreshed.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
            throw new IllegalStateException("refresh of " + bsn + " did not complete");
        }
        b.start();
    }

    /** The jar {@code jar} with Bundle-Version {@code version} and {@code headers} set in its manifest. */
    static byte[] withManifest(byte[] jar, String version, Map<String, String> headers) {
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(jar))) {
            Manifest manifest = new Manifest(in.getManifest());
            Attributes main = manifest.getMainAttributes();
            main.putValue(Constants.BUNDLE_VERSION, version);
            headers.forEach(main::putValue);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
            return bytes.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException("rewriting a bundle manifest", e);
        }
    }

    /**
     * The service of {@code type} matching {@code filter} (null: any), waiting for it (bounded).
     *
     * @throws IllegalStateException if none comes within {@link #WAIT}
     */
    <T> T service(Class<T> type, String filter) throws InterruptedException {
        ServiceTracker<T, T> tracker;
        try {
            tracker = new ServiceTracker<>(context, filter == null
                    ? context.createFilter("(objectClass=" + type.getName() + ")")
                    : context.createFilter("(&(objectClass=" + type.getName() + ")" + filter + ")"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
        tracker.open();
        try {
            T service = tracker.waitForService(WAIT.toMillis());
            if (service == null) {
                throw new IllegalStateException("no " + type.getSimpleName() + " " + filter + " within " + WAIT
                        + "; bundles: " + states() + "; services: " + services() + "; log: " + log());
            }
            return service;
        } finally {
            tracker.close();
        }
    }

    /** Every bundle's symbolic name, version and state, for failure messages. */
    String states() {
        StringBuilder sb = new StringBuilder();
        for (Bundle b : context.getBundles()) {
            sb.append(b.getSymbolicName()).append(' ').append(b.getVersion()).append('=').append(switch (b.getState()) {
                case Bundle.ACTIVE -> "ACTIVE";
                case Bundle.RESOLVED -> "RESOLVED";
                case Bundle.INSTALLED -> "INSTALLED";
                case Bundle.STARTING -> "STARTING";
                case Bundle.STOPPING -> "STOPPING";
                default -> "UNINSTALLED";
            }).append(' ');
        }
        return sb.toString();
    }

    /** Every registered service's object classes, for failure messages. */
    String services() {
        try {
            StringBuilder sb = new StringBuilder();
            for (var ref : context.getAllServiceReferences(null, null)) {
                sb.append(java.util.Arrays.toString((String[]) ref.getProperty(Constants.OBJECTCLASS))).append(' ');
            }
            return sb.toString();
        } catch (InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The framework log's entries, newest first (read reflectively: the log API is the log bundle's own, not
     * shared with the test), for failure messages.
     */
    String log() {
        try {
            var ref = context.getServiceReference("org.osgi.service.log.LogReaderService");
            if (ref == null) {
                return "(no log service)";
            }
            Object reader = context.getService(ref);
            var entries = (java.util.Enumeration<?>) reader.getClass().getMethod("getLog").invoke(reader);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; entries.hasMoreElements() && i < 20; i++) {
                Object e = entries.nextElement();
                sb.append("\n  ").append(e.getClass().getMethod("getMessage").invoke(e));
                Object t = e.getClass().getMethod("getException").invoke(e);
                if (t != null) {
                    sb.append(" (").append(t).append(')');
                }
            }
            context.ungetService(ref);
            return sb.toString();
        } catch (ReflectiveOperationException e) {
            return "(log unreadable: " + e + ")";
        }
    }

    /**
     * The version of the bundle that registered the service of {@code type} matching {@code filter}, waiting
     * ({@link #WAIT} at most) for it: a bundle started after an update and refresh registers its components' services
     * on the component runtime's own thread, possibly after {@code start} returned.
     */
    String providerVersion(Class<?> type, String filter) throws InvalidSyntaxException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            var refs = context.getServiceReferences(type.getName(), filter);
            if (refs != null && refs.length > 0) {
                return refs[0].getBundle().getVersion().toString();
            }
            if (System.nanoTime() - deadline > 0) {
                throw new IllegalStateException("no " + type.getSimpleName() + " " + filter + " within " + WAIT
                        + "; services: " + services());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    @Override
    public void close() throws Exception {
        framework.stop();
        framework.waitForStop(WAIT.toMillis());
    }
}
