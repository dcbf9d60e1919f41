package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.itests.Services;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.BundleWiring;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * A backend swapped with {@code faultline:swap} restarts nothing else importing the backend's API: the shell
 * bundle (the launcher's side in the framework, with its commands) and the demo bundle keep running, and a demo run
 * during fifty swaps passes.
 */
class BackendSwapOSGiTest {
    private static final List<String> BACKENDS = List.of("dev.faultline.smmu-v3", "dev.faultline.intel-vtd");
    private static final int SWAPS = 50;
    /** Generous for a 2-core machine shared with other builds; the test normally takes well under a minute. */
    private static final Duration LIMIT = Duration.ofMinutes(5);

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @Test
    void swappingEitherBackendRestartsNeitherTheShellNorTheDemo(@TempDir Path dir) throws Exception {
        Bundle shell = bundle("dev.faultline.shell");
        Bundle demoBundle = bundle("dev.faultline.demo");
        BundleWiring shellWiring = shell.adapt(BundleWiring.class);
        BundleWiring demoWiring = demoBundle.adapt(BundleWiring.class);
        long swapCommand = serviceId("(osgi.command.function=swap)");
        long demoService = serviceId("(objectClass=" + DemoScenario.class.getName() + ")");
        List<Path> jars = jars(dir);

        for (int i = 0; i < 6; i++) {
            swap(i % 2, jars);
        }

        assertThat(shell.adapt(BundleWiring.class)).isSameAs(shellWiring);
        assertThat(shellWiring.isCurrent()).isTrue();
        assertThat(shell.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(demoBundle.adapt(BundleWiring.class)).isSameAs(demoWiring);
        assertThat(demoWiring.isCurrent()).isTrue();
        assertThat(demoBundle.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(serviceId("(osgi.command.function=swap)")).isEqualTo(swapCommand);
        assertThat(serviceId("(objectClass=" + DemoScenario.class.getName() + ")")).isEqualTo(demoService);
        assertThat(context.getBundle(0).adapt(FrameworkWiring.class).getRemovalPendingBundles())
                .as("each backend's first revision stays as its API's provider; later ones go")
                .filteredOn(b -> BACKENDS.contains(b.getSymbolicName())).hasSizeLessThanOrEqualTo(BACKENDS.size());
        // the demo's two IOMMUs are driven again (other tests may have left units of their own in the machine)
        Services.await(() -> shell("faultline:iommus").lines()
                .filter(l -> (l.startsWith("smmuv3.0 ") || l.startsWith("dmar0 ")) && l.endsWith(" running"))
                .count() == 2);
    }

    @Test
    void aDemoRunningDuringFiftyBackendSwapsPasses(@TempDir Path dir) throws Exception {
        List<Path> jars = jars(dir);
        List<DemoReport> reports = new ArrayList<>();
        long deadline = System.nanoTime() + LIMIT.toNanos();
        CompletableFuture<DemoReport> running = CompletableFuture.supplyAsync(() -> demo.run(line -> { }));
        for (int i = 0; i < SWAPS; i++) {
            if (running.isDone()) {
                reports.add(running.join());
                running = CompletableFuture.supplyAsync(() -> demo.run(line -> { }));
            }
            swap(i % 2, jars);
            assertThat(System.nanoTime() - deadline).as("%d swaps within %s", SWAPS, LIMIT).isNegative();
        }
        reports.add(running.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));

        assertThat(reports).allSatisfy(report -> assertThat(report.passed()).as(report.steps().toString()).isTrue());
    }

    /** A copy of each backend's jar, to swap it for. */
    private List<Path> jars(Path dir) throws Exception {
        List<Path> jars = new ArrayList<>();
        for (String name : BACKENDS) {
            String location = bundle(name).getLocation().replaceFirst("^reference:", "");
            Path jar = dir.resolve(name + ".jar");
            try (InputStream in = location.contains(":/") ? URI.create(location).toURL().openStream()
                    : Files.newInputStream(Path.of(location))) {
                Files.copy(in, jar, StandardCopyOption.REPLACE_EXISTING);
            }
            jars.add(jar);
        }
        return jars;
    }

    private void swap(int backend, List<Path> jars) {
        String out = shell("faultline:swap " + BACKENDS.get(backend) + " " + jars.get(backend));
        assertThat(out).contains(" ACTIVE ");
    }

    private String shell(String line) {
        try {
            return (String) Services.shell(context, line);
        } catch (Exception e) {
            throw new AssertionError(line + ": " + e.getMessage(), e);
        }
    }

    private Bundle bundle(String symbolicName) {
        return Arrays.stream(context.getBundles()).filter(b -> symbolicName.equals(b.getSymbolicName())).findFirst()
                .orElseThrow();
    }

    private long serviceId(String filter) throws Exception {
        ServiceReference<?>[] references = context.getServiceReferences((String) null, filter);
        assertThat(references).hasSize(1);
        return (Long) references[0].getProperty(Constants.SERVICE_ID);
    }
}
