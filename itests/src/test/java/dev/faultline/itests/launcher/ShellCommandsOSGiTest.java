package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.launcher.demo.DemoReport;
import dev.faultline.launcher.demo.DemoScenario;
import java.io.OutputStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.Attributes;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The launcher's {@code faultline:*} commands, called as Gogo calls them (by name, on the registered command
 * service): they return data, and their declared functions are exactly their public methods.
 */
class ShellCommandsOSGiTest {
    private static final String LAUNCHER = "dev.faultline.launcher";

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @InjectService
    FaultStatistics statistics;

    private static final AtomicBoolean DEMO_RAN = new AtomicBoolean();

    @BeforeEach
    void machineIsConfigured() {
        // the demo configures the machine the commands show (one SMMUv3, one VT-d unit, seven devices)
        if (!DEMO_RAN.getAndSet(true)) {
            DemoReport report = demo.run(line -> { });
            assertThat(report.passed()).as(report.steps().toString()).isTrue();
        }
    }

    @Test
    void everyDeclaredFunctionIsAPublicMethodAndEveryPublicMethodIsDeclared() {
        for (ServiceReference<?> ref : launcherCommands()) {
            Object service = context.getService(ref);
            Set<String> declared = Set.of(functions(ref));
            Set<String> methods = Arrays.stream(service.getClass().getDeclaredMethods())
                    .filter(m -> Modifier.isPublic(m.getModifiers())).map(Method::getName).collect(Collectors.toSet());
            assertThat(methods).as(service.getClass().getSimpleName()).isEqualTo(declared);
            context.ungetService(ref);
        }
    }

    @Test
    void iommusListsTheSmmuAndTheVtdUnitWithTheirBackends() throws Exception {
        List<?> iommus = (List<?>) call("iommus");

        assertThat(iommus).extracting(Object::toString)
                .anySatisfy(l -> assertThat(l).startsWith("smmuv3.0").contains("backend running"))
                .anySatisfy(l -> assertThat(l).startsWith("dmar0").contains("backend running"));
    }

    @Test
    void devicesListsTheFirmwareDevicesWithTheFaultsTheCoreCounted() throws Exception {
        List<?> devices = (List<?>) call("devices");

        assertThat(devices).extracting(Object::toString)
                .anySatisfy(l -> assertThat(l).startsWith("0000:03:00.0").contains("smmuv3.0").contains("pri"))
                .anySatisfy(l -> assertThat(l).startsWith("platform:adreno0").contains("stall"))
                .anySatisfy(l -> assertThat(l).startsWith("0000:05:00.2").contains("dmar0")
                        .doesNotContain(" 0 faults"));
    }

    @Test
    void domainsListsTheDomainsHandlersServe() throws Exception {
        List<?> domains = (List<?>) call("domains");

        List<String> served = statistics.handlers().stream().flatMap(h -> h.domains().stream()).sorted().toList();
        assertThat(domains).extracting(d -> d.toString().split(" ")[0]).containsExactlyElementsOf(served);
        assertThat(served).as("the demo's remote processor").contains("mpss");
    }

    @Test
    void dmaFromADeviceWithNothingMappedFaultsThroughThePipeline() throws Exception {
        long before = usnicReported();

        Object outcome = call("dma", "0000:05:00.2", "w", "0x1234000");

        assertThat(outcome.toString()).startsWith("0000:05:00.2 w 0x1234000 pasid none: ABORTED");
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (usnicReported() == before) {
            assertThat(System.nanoTime()).as("the fault reached the core within 20 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }

    @Test
    void dmaRejectsAnUnknownDeviceAndABadAccessWithAMessage() {
        assertThatThrownBy(() -> call("dma", "0000:7f:00.0", "r", "0x1000"))
                .hasMessage("no device 0000:7f:00.0 on the machine (see faultline:devices)");
        assertThatThrownBy(() -> call("dma", "0000:05:00.2", "q", "0x1000"))
                .hasMessage("access is r, w or x, not 'q'");
    }

    @Test
    void swapReplacesABundleWithANewJarKeepingItsId(@TempDir Path dir) throws Exception {
        // a bundle nothing imports from: a refresh restarts only it (swapping a bundle the launcher or this
        // test imports from restarts them too, which is what OSGi's refresh does)
        Path v1 = bundleJar(dir.resolve("v1.jar"), "1.0.0");
        Path v2 = bundleJar(dir.resolve("v2.jar"), "2.0.0");
        Bundle bundle = context.installBundle(v1.toUri().toString());
        try {
            bundle.start();

            Object swap = call("swap", "itest.swap.target", v2.toString());

            assertThat(swap.toString())
                    .startsWith("swapped itest.swap.target [" + bundle.getBundleId() + "] 1.0.0 -> 2.0.0")
                    .contains(": ACTIVE in ");
            assertThat(bundle.getVersion()).hasToString("2.0.0");
            assertThat(bundle.getState()).isEqualTo(Bundle.ACTIVE);
        } finally {
            bundle.uninstall();
        }
    }

    @Test
    void swapNamesAMissingBundleOrJar(@TempDir Path dir) {
        assertThatThrownBy(() -> call("swap", "no.such.bundle")).hasMessage("no bundle named no.such.bundle");
        assertThatThrownBy(() -> call("swap", "dev.faultline.examples", dir.resolve("absent.jar").toString()))
                .hasMessageStartingWith("no jar at ");
    }

    private static Path bundleJar(Path file, String version) throws Exception {
        Manifest manifest = new Manifest();
        manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
        manifest.getMainAttributes().putValue("Bundle-ManifestVersion", "2");
        manifest.getMainAttributes().putValue("Bundle-SymbolicName", "itest.swap.target");
        manifest.getMainAttributes().putValue("Bundle-Version", version);
        try (OutputStream out = Files.newOutputStream(file); JarOutputStream jar = new JarOutputStream(out, manifest)) {
            jar.flush();
        }
        return file;
    }

    @Test
    void swapRefusesTheBundleRunningTheCommand() {
        assertThatThrownBy(() -> call("swap", LAUNCHER)).hasMessage(
                "cannot swap dev.faultline.launcher: it runs the framework or this command");
    }

    private long usnicReported() {
        return statistics.devices().stream().filter(d -> d.device().equals("0000:05:00.2"))
                .mapToLong(d -> d.counts().reported()).sum();
    }

    private List<ServiceReference<?>> launcherCommands() {
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, "(osgi.command.scope=faultline)");
            return Arrays.stream(refs).filter(r -> r.getBundle().getSymbolicName().equals(LAUNCHER)).toList();
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String[] functions(ServiceReference<?> ref) {
        Object value = ref.getProperty("osgi.command.function");
        return value instanceof String[] array ? array : new String[] {(String) value};
    }

    /** Calls command {@code name} with string arguments, as the shell would. */
    private Object call(String name, String... args) throws Exception {
        for (ServiceReference<?> ref : launcherCommands()) {
            if (!Arrays.asList(functions(ref)).contains(name)) {
                continue;
            }
            Object service = context.getService(ref);
            try {
                for (Method m : service.getClass().getMethods()) {
                    if (m.getName().equals(name) && m.getParameterCount() == args.length) {
                        return m.invoke(service, (Object[]) args);
                    }
                }
            } catch (InvocationTargetException e) {
                throw (Exception) e.getCause();
            } finally {
                context.ungetService(ref);
            }
        }
        throw new AssertionError("no launcher command " + name + "/" + args.length);
    }
}
