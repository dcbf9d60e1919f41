package dev.faultline.itests.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.ContextStatus;
import dev.faultline.drivers.msm.FaultType;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.GpuStatus;
import dev.faultline.drivers.remoteproc.HeartbeatFirmware;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocState;
import dev.faultline.drivers.remoteproc.RprocStatus;
import dev.faultline.drivers.usnic.Usnic;
import dev.faultline.faultlog.Delivery;
import dev.faultline.faultlog.DriverReplayReport;
import dev.faultline.faultlog.IncidentReport;
import dev.faultline.itests.Services;
import dev.faultline.smmuv3.SmmuDomains;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * Real incidents from the corpus replayed with {@code faultline:replay --map} into the driver bundles on the
 * simulated machine: each driver reacts as it does to a fault of its own device.
 */
class ReplayIntoDriversOSGiTest {
    private static final String SMMU = "smmuv3.0";

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    FaultStatistics statistics;

    @InjectService
    LogReaderService logReader;

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LogListener listener = entry -> lines.add(entry.getMessage());
    private Path dir;

    @BeforeEach
    void listen() throws Exception {
        logReader.addLogListener(listener);
        dir = Files.createTempDirectory("replay-into-drivers");
    }

    @AfterEach
    void stopListening() {
        logReader.removeLogListener(listener);
    }

    private IncidentReport replay(String caseId, String... maps) throws Exception {
        StringBuilder line = new StringBuilder("faultline:replay");
        for (String map : maps) {
            line.append(" --map ").append(map);
        }
        line.append(' ').append(Corpus.logFile(caseId, dir));
        return (IncidentReport) Services.shell(context, line.toString());
    }

    /** Waits until the core routes {@code target}'s faults ({@code "device X"} or {@code "domain X"}) to a handler. */
    private void awaitServing(String target) {
        String serves = target + ": serves";
        Services.await(() -> statistics.handlers().stream().anyMatch(h -> h.state() == HandlerStatus.State.ACTIVE
                && h.standing().contains(serves)));
    }

    /** Faults of {@code device} nobody handled (0 before the core has seen the device). */
    private long unhandled(String device) {
        return statistics.devices().stream().filter(d -> d.device().equals(device)).map(DeviceStatus::counts)
                .mapToLong(FaultCounts::noHandler).sum();
    }

    private static DriverReplayReport.Row row(IncidentReport report, String device) {
        return report.drivers().orElseThrow().row(DeviceId.parse(device))
                .orElseThrow(() -> new AssertionError("no row for " + device + " in\n" + report.render()));
    }

    @Test
    void aContextFaultAndTheCrashItCausedCrashAndRecoverTheRemoteProcessor() throws Exception {
        Services.factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        Services.plug(context, "platform:slpi@" + SMMU + ":0x25");
        SmmuDomains domains = Services.service(context, SmmuDomains.class, "(iommu.name=" + SMMU + ")");
        Services.await(() -> domains.devices().contains(DeviceId.parse("platform:slpi")));
        Map<String, Object> values = new HashMap<>(Map.of("name", "slpi", "device", "platform:slpi",
                "device.name", "remoteproc7", "faultline.domain", "slpi-domain", "tick.period.ms", 2L));
        Services.factory(admin, "dev.faultline.drivers.remoteproc", "name", values);
        RemoteProcessor slpi = Services.service(context, RemoteProcessor.class, "(name=slpi)");
        Services.await(() -> slpi.readWord(HeartbeatFirmware.OUTPUT) > 2);
        awaitServing("domain slpi-domain");

        // the CDSP's context bank faults at 0xfffff000, then the CDSP crashes (remoteproc2, fatal error)
        IncidentReport report = replay("remoteproc-crash-11", "5180000.iommu=platform:slpi",
                "remoteproc2=platform:slpi");

        DriverReplayReport.Row row = row(report, "platform:slpi");
        assertThat(row.driver()).as(report.render()).isEqualTo("remoteproc slpi");
        assertThat(row.count(Delivery.FAULTED)).isEqualTo(1);
        // the crash line reached the processor once: it started a crash episode or came during one
        assertThat(row.count(Delivery.CRASH_REPORTED) + row.count(Delivery.CRASH_COALESCED)).isEqualTo(1);
        assertThat(row.coreDelivered()).isEqualTo(1);
        // two reports reached the processor, the fault and the crash line: each started a crash episode or came
        // during one (which depends on how fast the first recovery runs), and every episode ends in a recovery
        try {
            Services.await(() -> slpi.status().crashCount() + slpi.status().coalescedReports() == 2
                    && slpi.status().recoveries() == slpi.status().crashCount() && slpi.state() == RprocState.RUNNING);
        } catch (AssertionError e) {
            throw new AssertionError("not recovered: " + slpi.status() + "\n" + report.render(), e);
        }
        RprocStatus status = slpi.status();
        assertThat(status.crashCount()).isBetween(1, 2);
        assertThat(slpi.lastCoredump()).isPresent();
        assertThat(report.render()).contains("drivers:", "platform:slpi", "remoteproc slpi", "FAULTED=1");
    }

    @Test
    void aGpuFaultLogStallsSnapshotsAndRecoversTheGpuAsItsOwnJobsFaults() throws Exception {
        String gpuDevice = "platform:gpu5";
        Services.factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        Services.plug(context, gpuDevice + "@" + SMMU + ":0x35:stall");
        SmmuDomains domains = Services.service(context, SmmuDomains.class, "(iommu.name=" + SMMU + ")");
        Services.await(() -> domains.devices().contains(DeviceId.parse(gpuDevice)));
        Services.factory(admin, "dev.faultline.drivers.msm", "faultline.device",
                Map.of("faultline.device", gpuDevice, "name", "a660", "run.period.ms", 2L));
        AdrenoGpu gpu = Services.service(context, AdrenoGpu.class, "(faultline.device=" + gpuDevice + ")");
        awaitServing("device " + gpuDevice);
        GpuStatus before = gpu.status();
        assertThat(before.stallEnabled()).as("a new GPU starts with stall on").isTrue();

        // SM8350's Adreno 660 in IGT's msm_recovery gpu-fault test: the CP reads 0x0, then 0x20, in the context
        // whose table is at 0x1042fc000 (two '*** gpu fault' lines with the same ttbr0)
        IncidentReport report = replay("msm-gpu-fault-01", "msm-gpu-fault=" + gpuDevice);

        DriverReplayReport.Row row = row(report, gpuDevice);
        assertThat(row.driver()).as(report.render()).isEqualTo("msm gpu");
        assertThat(row.count(Delivery.FAULTED)).isEqualTo(2);
        assertThat(row.coreDelivered()).isEqualTo(2);
        assertThat(row.coreNoHandler()).isZero();
        assertThat(report.render()).containsPattern(gpuDevice + " +msm gpu +FAULTED=2 +handled=2 no-handler=0");

        GpuStatus after = gpu.status();
        assertThat(after.faults() - before.faults()).isEqualTo(2);
        // the first fault stalled and turned stall off; the second, in the cooldown and with the first's crash
        // state unread, was terminated by the SMMU at once
        assertThat(after.stalledFaults() - before.stalledFaults()).isEqualTo(1);
        assertThat(after.stallEnabled()).isFalse();
        assertThat(after.snapshots() - before.snapshots()).as("one snapshot: the first job's stalled fault")
                .isEqualTo(1);
        Services.await(() -> gpu.status().recoveries() - before.recoveries() == 2);
        // one context for the log's one address space, charged both faults
        assertThat(after.contexts()).hasSize(before.contexts().size() + 1);
        ContextStatus replayed = after.contexts().get(after.contexts().size() - 1);
        assertThat(replayed.faults()).isEqualTo(2);
        GpuSnapshot snapshot = gpu.readCrashState().orElseThrow();
        assertThat(snapshot.context()).isEqualTo(replayed.id());
        assertThat(snapshot.iova()).isZero();
        assertThat(snapshot.type()).isEqualTo(FaultType.TRANSLATION);
        assertThat(snapshot.source()).isEqualTo("CP");
        String line = String.format("*** gpu fault: ttbr0=%016x iova=%016x dir=READ type=TRANSLATION source=CP",
                replayed.ttbr0(), 0x20);
        try {
            Services.await(() -> lines.stream().anyMatch(l -> l.startsWith(line)));
        } catch (AssertionError e) {
            throw new AssertionError("no '" + line + "' in " + lines.stream().filter(l -> l.contains("gpu")).toList(),
                    e);
        }
    }

    @Test
    void aDmarFaultOfTheUsnicVfReachesThePrintingPathAsAFaultNobodyHandles() throws Exception {
        String vf = "0000:05:00.3";
        Services.factory(admin, "dev.faultline.platform.vtd", "name", Map.of("name", "dmar0"));
        Services.plug(context, vf + "@dmar0:0x503");
        Services.factory(admin, "dev.faultline.vtd", "unit.target",
                Map.of("unit.target", "(iommu.name=dmar0)", "log.interval.ms", 3_600_000L));
        Services.factory(admin, "dev.faultline.drivers.usnic", "device", Map.of("device", vf,
                "iommu.target", "(faultline.iommu=dmar0)")); // other tests drive units of their own
        Services.service(context, Usnic.class, "(device=" + vf + ")");
        long unhandled = unhandled(vf);

        // the ThinkPad X201's graphics write at 0xb97ff000 (requester 00:02.0), replayed as the VF's
        IncidentReport report = replay("dmar-fault-35", "00:02.0=" + vf);

        DriverReplayReport.Row row = row(report, vf);
        assertThat(row.count(Delivery.FAULTED)).as(report.render()).isEqualTo(1);
        assertThat(row.driver()).isEqualTo("no handler");
        assertThat(row.coreNoHandler()).isEqualTo(1);
        // nobody handles it: the core counts it unhandled and the VT-d backend prints it within its rate limit
        assertThat(unhandled(vf)).isEqualTo(unhandled + 1);
    }
}
