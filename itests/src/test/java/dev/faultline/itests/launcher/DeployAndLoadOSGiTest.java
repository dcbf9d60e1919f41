package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.shell.UsageException;
import dev.faultline.itests.Services;
import dev.faultline.demo.DemoReport;
import dev.faultline.examples.sva.ProcessPageTable;
import dev.faultline.demo.DemoScenario;
import dev.faultline.platform.machine.Machine;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * An outside driver author's path: the handler bundle generated from the archetype (built by the archetype module's
 * integration test, {@value #ARCHETYPE_JAR_PROPERTY}) dropped into the deploy directory (Felix FileInstall) handles
 * the faults {@code faultline:load} makes a device raise through each real backend, SMMUv3 (PCIe PRI and stall)
 * and VT-d (page requests), its component configured for the three devices through Config Admin; replacing the
 * jar (a new Bundle-Version) updates the bundle under load with no group answered "no handler" and the device
 * counters continuous; removing it uninstalls the bundle.
 */
class DeployAndLoadOSGiTest {
    private static final String SMMU_PRI = "0000:3c:00.0";
    private static final String SMMU_STALL = "platform:deploystall0";
    private static final String VTD_PRI = "0000:3d:00.0";
    private static final int PASID = 5;
    /** The framework property naming the jar the archetype's integration test built from the generated project. */
    static final String ARCHETYPE_JAR_PROPERTY = "faultline.archetype.jar";
    /** The generated project's bundle and its handler component (archetype.properties of the archetype's test). */
    private static final String BSN = "example-dma-faults";
    private static final String COMPONENT_PID = "com.example.faults.dma.DeviceFaults";
    private static final AtomicBoolean MACHINE_READY = new AtomicBoolean();

    @InjectBundleContext
    BundleContext context;

    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @InjectService
    FaultStatistics statistics;

    @InjectService
    ConfigurationAdmin admin;

    @BeforeEach
    void machineWithFreshDevices() {
        if (!MACHINE_READY.getAndSet(true)) {
            // the demo configures the machine's IOMMUs and backends (one SMMUv3, one VT-d unit)
            DemoReport report = demo.run(line -> { });
            assertThat(report.passed()).as(report.steps().toString()).isTrue();
        }
        Services.plug(context, SMMU_PRI + "@smmuv3.0:0x3c00:pri");
        Services.plug(context, SMMU_STALL + "@smmuv3.0:0x3c08:stall");
        Services.plug(context, VTD_PRI + "@dmar0:0x3d00:pri");
        Services.await(() -> statistics.devices().stream().filter(DeviceStatus::present).map(DeviceStatus::device)
                .toList().containsAll(List.of(SMMU_PRI, SMMU_STALL, VTD_PRI)));
    }

    @Test
    void loadThroughEachBackendWithoutAHandlerAnswersEveryGroupAndCountsItAsNoHandler() {
        String domain = "load-unserved";
        for (String device : List.of(SMMU_PRI, SMMU_STALL, VTD_PRI)) {
            String attached = shell("faultline:attach --sva " + device + " " + domain + " " + PASID);
            assertThat(attached).containsPattern("\n" + Pattern.quote(device) + " +(smmuv3.0|dmar0) +0x5 +" + domain
                    + " +SVA +(pri|stall) +0x[0-9a-f]+\n");
        }
        try {
            Map<String, Long> pri = load(SMMU_PRI, "w", 50, 1, "");
            assertThat(pri.get("PAGE_REQUEST_INVALID")).isEqualTo(pri.get("accesses")).isPositive();
            assertThat(pri).containsEntry("groups", pri.get("accesses")).containsEntry("no handler", pri.get("groups"))
                    .containsEntry("INVALID", pri.get("groups")).containsEntry("page requests", pri.get("accesses"));
            Map<String, Long> stall = load(SMMU_STALL, "r", 50, 1, "--same");
            assertThat(stall.get("ABORTED")).isEqualTo(stall.get("accesses")).isPositive();
            assertThat(stall).containsEntry("groups", stall.get("accesses")).containsEntry("stalls",
                    stall.get("accesses")).containsEntry("INVALID", stall.get("accesses"));
            Map<String, Long> vtd = load(VTD_PRI, "r", 50, 1, "--random");
            assertThat(vtd.get("PAGE_REQUEST_INVALID")).isEqualTo(vtd.get("accesses")).isPositive();
            assertThat(vtd).containsEntry("groups", vtd.get("accesses")).containsEntry("no handler", vtd.get("groups"));
        } finally {
            detachAll();
        }
    }

    @Test
    void aHandlerDroppedIntoTheDeployDirectoryHandlesLoadThroughBothBackendsAndIsUpdatedByReplacingItsJar()
            throws Exception {
        String domain = "deployed-dom";
        Path deploy = Files.createDirectories(Path.of(context.getProperty("felix.fileinstall.dir")));
        Path jar = deploy.resolve("example-dma-faults.jar");
        List<String> devices = List.of(SMMU_PRI, SMMU_STALL, VTD_PRI);
        devices.forEach(d -> shell("faultline:attach --sva " + d + " " + domain + " " + PASID));
        Map<String, FaultCounts> before = new java.util.HashMap<>();
        devices.forEach(d -> before.put(d, counts(d)));
        Map<String, Long> reportedByLoads = new java.util.concurrent.ConcurrentHashMap<>();
        // the generated handler serves the device it was generated for; configured, it serves these three
        Configuration configuration = admin.getConfiguration(COMPONENT_PID, "?");
        configuration.update(new Hashtable<>(Map.of(HandlerProperties.DEVICE, devices.toArray(String[]::new))));
        try {
            drop(jar, "0.1.0");
            long first = awaitServing(devices, "0.1.0");
            for (String device : devices) {
                Map<String, Long> run = load(device, "r", 50, 1, device.equals(SMMU_STALL) ? "--same" : "");
                assertThat(run.get("groups")).as(device).isEqualTo(run.get("accesses")).isPositive();
                assertThat(run).as(device).containsEntry("INVALID", run.get("groups")).containsEntry("no handler", 0L);
                reportedByLoads.merge(device, run.get("reported"), Long::sum);
            }

            // the update, under load through both backends: replace the jar while the devices page-request
            List<CompletableFuture<Map<String, Long>>> loads = new ArrayList<>();
            for (String device : List.of(SMMU_PRI, VTD_PRI)) {
                loads.add(CompletableFuture.supplyAsync(() -> load(device, "r", 100, 3, "")));
            }
            Services.await(() -> counts(SMMU_PRI).reported() > before.get(SMMU_PRI).reported()
                    + reportedByLoads.get(SMMU_PRI) && counts(VTD_PRI).reported() > before.get(VTD_PRI).reported()
                    + reportedByLoads.get(VTD_PRI));
            drop(jar, "0.2.0");
            long second = awaitServing(devices, "0.2.0");
            assertThat(second).as("the updated bundle's handler").isNotEqualTo(first);
            for (int i = 0; i < loads.size(); i++) {
                Map<String, Long> run = loads.get(i).get(Services.WAIT.toSeconds(), TimeUnit.SECONDS);
                String device = List.of(SMMU_PRI, VTD_PRI).get(i);
                assertThat(run).as(device + " during the update").containsEntry("no handler", 0L)
                        .containsEntry("FAILURE", 0L).containsEntry("timed out", 0L);
                assertThat(run.get("groups")).as(device).isEqualTo(run.get("SUCCESS") + run.get("INVALID"));
                reportedByLoads.merge(device, run.get("reported"), Long::sum);
            }
            long servedBefore = handlerCounts(second).reported();
            for (String device : List.of(SMMU_PRI, VTD_PRI)) {
                Map<String, Long> run = load(device, "w", 20, 1, "");
                assertThat(run.get("INVALID")).as(device + ": the generated handler answers").isEqualTo(run.get("groups"))
                        .isPositive();
                assertThat(run).containsEntry("no handler", 0L);
                reportedByLoads.merge(device, run.get("reported"), Long::sum);
            }
            assertThat(handlerCounts(second).reported()).as("version 0.2.0's handler answered them")
                    .isGreaterThan(servedBefore);
            for (String device : devices) {
                FaultCounts after = counts(device);
                assertThat(after.reported() - before.get(device).reported()).as(device + ": counters continuous")
                        .isEqualTo(reportedByLoads.get(device));
                assertThat(after.noHandler()).as(device).isEqualTo(before.get(device).noHandler());
                assertThat(after.balanced()).isTrue();
            }

            Files.delete(jar);
            Services.await(() -> deployed().isEmpty());
        } finally {
            Files.deleteIfExists(jar);
            Services.await(() -> deployed().isEmpty());
            configuration.delete();
            // the devices of the uninstalled handler wait handover.window.ms for a replacement: an access to each
            // ends when the window does (or at once, after it), so the next test finds them served by nobody
            devices.forEach(d -> shell("faultline:dma " + d + " r 0x7f0000002000 " + PASID));
            detachAll();
        }
    }

    @Test
    void aHandlerMapsThePagesOfAnAttachedSvaDomainThroughItsTableServiceAndAnswersSuccess() throws Exception {
        String domain = "attached-sva";
        Machine machine = Services.service(context, Machine.class);
        for (String device : List.of(SMMU_PRI, SMMU_STALL, VTD_PRI)) {
            shell("faultline:attach --sva " + device + " " + domain + " " + PASID);
        }
        String filter = "(&(faultline.domain=" + domain + ")(faultline.pasid=" + PASID + "))";
        assertThat(context.getServiceReferences(ProcessPageTable.class, filter)).hasSize(3);
        // the handler an author writes: the page asked for, mapped in the table of the device it came from
        FaultHandler pager = group -> {
            try {
                ServiceReference<ProcessPageTable> table = context.getServiceReferences(ProcessPageTable.class,
                        "(&(faultline.domain=" + domain + ")(faultline.device=" + group.device() + ")(faultline.pasid="
                                + group.pasid() + "))").iterator().next();
                ProcessPageTable pages = context.getService(table);
                for (int i = 0; i < group.size(); i++) {
                    long page = group.address(i) & ~(ProcessPageTable.PAGE_SIZE - 1);
                    if (pages.frame(page).isEmpty()) {
                        pages.map(page, machine.frames().allocatePage(), group.permissions(i));
                    }
                }
                context.ungetService(table);
                group.respond(ResponseCode.SUCCESS);
            } catch (InvalidSyntaxException e) {
                group.respond(ResponseCode.INVALID);
            }
        };
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DOMAIN, domain);
        ServiceRegistration<FaultHandler> registration = context.registerService(FaultHandler.class, pager, props);
        try {
            long id = (Long) registration.getReference().getProperty(Constants.SERVICE_ID);
            Services.await(() -> statistics.handlers().stream().anyMatch(h -> h.serviceId() == id
                    && h.state() == HandlerStatus.State.ACTIVE && h.standing().contains("domain " + domain + ": serves")));
            for (String device : List.of(SMMU_PRI, SMMU_STALL, VTD_PRI)) {
                assertThat(shell("faultline:dma " + device + " w 0x7f0000001000 " + PASID)).as(device)
                        .contains("COMPLETED");
                assertThat(shell("faultline:dma " + device + " r 0x7f0000001008 " + PASID)).as(device + ": mapped now")
                        .contains("COMPLETED");
            }
        } finally {
            registration.unregister();
            detachAll();
        }
        assertThat(context.getServiceReferences(ProcessPageTable.class, filter)).as("detached: withdrawn").isEmpty();
    }

    @Test
    void attachAndLoadAnswerWrongArgumentsWithTheirUsage() {
        assertThatThrownBy(() -> shell("faultline:attach " + SMMU_PRI)).isInstanceOf(UsageException.class)
                .hasMessage("missing <domain>\nusage: faultline:attach [--json] [--sva] <device> <domain> [<pasid>]");
        assertThatThrownBy(() -> shell("faultline:attach --sva " + SMMU_PRI + " d")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("--sva attaches a PASID: give the <pasid> (1 to 0xfffff)");
        assertThatThrownBy(() -> shell("faultline:attach 0000:7f:00.0 d")).hasMessage(
                "no device 0000:7f:00.0 on the machine (see faultline:devices)");
        assertThatThrownBy(() -> shell("faultline:load " + SMMU_PRI + " r 0 1")).isInstanceOf(UsageException.class)
                .hasMessageContaining("usage: faultline:load [--json] [--quiet] [--random] [--same] <device> <r|w|x>"
                        + " <rate> <seconds> [<pasid>] [<address>]");
        assertThatThrownBy(() -> shell("faultline:load --random --same " + SMMU_PRI + " r 1 1"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("--random and --same exclude each other");
        assertThatThrownBy(() -> shell("faultline:load " + SMMU_PRI + " r 1 1 5 0x1001"))
                .isInstanceOf(UsageException.class).hasMessageStartingWith("<address> is the first page");
        assertThatThrownBy(() -> shell("faultline:load " + SMMU_PRI + " q 1 1")).isInstanceOf(UsageException.class)
                .hasMessageStartingWith("access is r, w or x, not 'q'");
    }

    /** Runs a quiet load and returns its figures by name (accesses by outcome, the core's answers, the totals). */
    private Map<String, Long> load(String device, String access, int rate, int seconds, String flag) {
        String json = shell("faultline:load --json --quiet " + flag + " " + device + " " + access + " " + rate + " "
                + seconds + " " + PASID);
        Map<String, Long> figures = new java.util.HashMap<>();
        Matcher outcome = Pattern.compile("\\{\"outcome\": \"([A-Z_]+)\", \"accesses\": (\\d+)}").matcher(json);
        while (outcome.find()) {
            figures.put(outcome.group(1), Long.parseLong(outcome.group(2)));
        }
        Matcher number = Pattern.compile("\"(accesses|page requests|stalls|reported|groups|SUCCESS|INVALID|FAILURE"
                + "|no handler|timed out)\": (\\d+)").matcher(json);
        while (number.find()) {
            figures.putIfAbsent(number.group(1), Long.parseLong(number.group(2)));
        }
        return figures;
    }

    private FaultCounts counts(String device) {
        return statistics.devices().stream().filter(d -> d.device().equals(device) && d.present())
                .map(DeviceStatus::counts).findFirst().orElseThrow();
    }

    /** Waits until bundle {@code version} is active and its handler serves every device; returns its service id. */
    private long awaitServing(List<String> devices, String version) {
        long[] serviceId = new long[1];
        Services.await(() -> deployed().filter(b -> b.getVersion().toString().equals(version)
                && b.getState() == Bundle.ACTIVE).isPresent() && statistics.handlers().stream().anyMatch(h -> {
                    boolean serves = h.bundle().equals(BSN) && h.state() == HandlerStatus.State.ACTIVE
                            && devices.stream().allMatch(d -> h.standing().contains("device " + d + ": serves"));
                    if (serves) {
                        serviceId[0] = h.serviceId();
                    }
                    return serves;
                }));
        return serviceId[0];
    }

    private FaultCounts handlerCounts(long serviceId) {
        return statistics.handlers().stream().filter(h -> h.serviceId() == serviceId).map(HandlerStatus::counts)
                .findFirst().orElseThrow();
    }

    private Optional<Bundle> deployed() {
        return Arrays.stream(context.getBundles()).filter(b -> BSN.equals(b.getSymbolicName())).findFirst();
    }

    private void detachAll() {
        for (String device : List.of(SMMU_PRI, SMMU_STALL, VTD_PRI)) {
            shell("faultline:detach " + device + " " + PASID);
        }
    }

    /**
     * Writes the bundle the archetype's integration test generated and built, as version {@code version} (its
     * manifest's Bundle-Version rewritten, its classes as built), into the deploy directory in one step.
     */
    private void drop(Path jar, String version) throws Exception {
        String built = context.getProperty(ARCHETYPE_JAR_PROPERTY);
        assertThat(built).as(ARCHETYPE_JAR_PROPERTY).isNotNull();
        Path source = Path.of(built);
        assertThat(source).as("built by the archetype module's integration test (build it first)").isRegularFile();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarInputStream in = new JarInputStream(Files.newInputStream(source))) {
            Manifest manifest = new Manifest(in.getManifest());
            manifest.getMainAttributes().putValue(Constants.BUNDLE_VERSION, version);
            try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
                for (JarEntry entry = in.getNextJarEntry(); entry != null; entry = in.getNextJarEntry()) {
                    out.putNextEntry(new JarEntry(entry.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
        // written beside the deploy directory, then moved in: the watcher never sees a partial jar
        Path written = Files.createTempFile(jar.getParent().getParent(), "handler", ".part");
        try (OutputStream out = Files.newOutputStream(written)) {
            out.write(bytes.toByteArray());
        }
        Files.move(written, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    private String shell(String line) {
        try {
            return (String) Services.shell(context, line);
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new AssertionError(line + ": " + e.getMessage(), e);
        }
    }
}
