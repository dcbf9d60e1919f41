package dev.faultline.itests.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.drivers.remoteproc.Coredump;
import dev.faultline.drivers.remoteproc.Crash;
import dev.faultline.drivers.remoteproc.CrashType;
import dev.faultline.drivers.remoteproc.HeartbeatFirmware;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocState;
import dev.faultline.drivers.remoteproc.RprocStatus;
import dev.faultline.itests.Services;
import dev.faultline.smmuv3.SmmuDomains;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The remoteproc bundle on the simulated machine: the processor runs its firmware by DMA through the SMMUv3,
 * a bad pointer makes it fault, the SMMUv3 backend reports the fault into the core, the core routes it by the
 * attached domain to the bundle's DS-registered handler, and recovery brings the processor back.
 */
class RemoteprocOSGiTest {
    private static final String SMMU = "smmuv3.0";
    private static final long UNMAPPED = 0x0040_0000L;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    FaultStatistics statistics;

    /** Deploys a processor called {@code name} at StreamID {@code sid} with {@code settings}; waits until it runs. */
    private RemoteProcessor deploy(String name, int sid, Map<String, Object> settings) throws Exception {
        Services.factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        Services.plug(context, "platform:" + name + "@" + SMMU + ":0x" + Integer.toHexString(sid));
        DeviceId device = DeviceId.parse("platform:" + name);
        SmmuDomains domains = Services.service(context, SmmuDomains.class, "(iommu.name=" + SMMU + ")");
        Services.await(() -> domains.devices().contains(device));
        Map<String, Object> values = new java.util.HashMap<>(settings);
        values.put("name", name);
        values.put("device", device.toString());
        values.put("faultline.domain", name + "-domain");
        values.put("tick.period.ms", 2L);
        Services.factory(admin, "dev.faultline.drivers.remoteproc", "name", values);
        RemoteProcessor rproc = Services.service(context, RemoteProcessor.class, "(name=" + name + ")");
        Services.await(() -> rproc.readWord(HeartbeatFirmware.OUTPUT) > 2);
        return rproc;
    }

    private FaultCounts counts(String device) {
        return statistics.devices().stream().filter(d -> d.device().equals(device)).map(DeviceStatus::counts)
                .findFirst().orElseThrow();
    }

    @Test
    void anIommuFaultIsHandledAsACrashAndTheProcessorIsRecoveredAndRunsAgain() throws Exception {
        RemoteProcessor rproc = deploy("adsp", 0x21, Map.of());
        long heartbeat = rproc.readWord(HeartbeatFirmware.HEARTBEAT);

        rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);

        Services.await(() -> rproc.status().recoveries() == 1 && rproc.state() == RprocState.RUNNING);
        RprocStatus status = rproc.status();
        assertThat(status.crashCount()).isEqualTo(1);
        Crash crash = status.lastCrash().orElseThrow();
        assertThat(crash.type()).isEqualTo(CrashType.MMUFAULT);
        assertThat(crash.deviceAddress()).isEqualTo(UNMAPPED);
        assertThat(crash.access()).isEqualTo(Permissions.WRITE);
        Coredump dump = rproc.lastCoredump().orElseThrow();
        assertThat(dump.segment("shared").orElseThrow().word(HeartbeatFirmware.MAILBOX)).isEqualTo(UNMAPPED);
        assertThat(dump.segment("data").orElseThrow().word(HeartbeatFirmware.HEARTBEAT)).isGreaterThan(heartbeat);

        // the reloaded firmware restored its mailbox and writes heartbeats again, from 1
        Services.await(() -> rproc.readWord(HeartbeatFirmware.MAILBOX) == HeartbeatFirmware.OUTPUT);
        long after = rproc.readWord(HeartbeatFirmware.HEARTBEAT);
        Services.await(() -> rproc.readWord(HeartbeatFirmware.HEARTBEAT) > after);

        FaultCounts counts = counts("platform:adsp");
        assertThat(counts.delivered()).isGreaterThanOrEqualTo(1);
        assertThat(counts.noHandler()).isZero();
        assertThat(statistics.handlers()).anySatisfy(h -> {
            assertThat(h.domains()).containsExactly("adsp-domain");
            assertThat(h.bundle()).isEqualTo("dev.faultline.drivers-remoteproc");
            assertThat(h.counts().delivered()).isGreaterThanOrEqualTo(1);
        });

        assertThat((String) Services.shell(context, "faultline:rproc --json")).containsPattern(
                "\\{\"processor\": \"adsp\", [^}]*\"recoveries\": 1,");
        assertThat(((String) Services.shell(context, "faultline:rproccoredump adsp")).lines())
                .hasSize(4).first().asString().startsWith("segment ");
    }

    @Test
    void aCrashLoopIsBoundedByThePolicy() throws Exception {
        RemoteProcessor rproc = deploy("cdsp", 0x22, Map.of("crashloop.max.recoveries", 2,
                "crashloop.window.ms", 3_600_000L));

        for (int crash = 1; crash <= 3; crash++) {
            int expected = crash;
            Services.await(() -> rproc.readWord(HeartbeatFirmware.MAILBOX) == HeartbeatFirmware.OUTPUT);
            rproc.writeWord(HeartbeatFirmware.MAILBOX, UNMAPPED);
            Services.await(() -> rproc.status().crashCount() == expected
                    && rproc.state() != RprocState.RECOVERY && (rproc.state() == RprocState.RUNNING
                    || rproc.status().crashLoopHalts() == 1));
        }

        RprocStatus status = rproc.status();
        assertThat(status.state()).isEqualTo(RprocState.CRASHED);
        assertThat(status.recoveries()).isEqualTo(2);
        assertThat(status.crashLoopHalts()).isEqualTo(1);

        assertThat(rproc.recover()).isTrue();
        Services.await(() -> rproc.state() == RprocState.RUNNING && rproc.status().recoveries() == 3);
    }
}
