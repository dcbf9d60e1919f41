package dev.faultline.itests.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.ContextStatus;
import dev.faultline.drivers.msm.FaultType;
import dev.faultline.drivers.msm.GpuBlock;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.JobState;
import dev.faultline.itests.Services;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.smmuv3.SmmuDomains;
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
 * The msm bundle on the simulated machine: GPU contexts with their own tables on PASIDs of a stall-capable
 * stream of the SMMUv3, a job whose access faults is stalled, reported by the SMMUv3 backend into the core,
 * routed by device to the bundle's DS-registered handler, answered INVALID (the stalled access is terminated),
 * and hang recovery resets that context while another context's jobs complete. The driver switches the SMMU's
 * stall off after a fault and back on after the cooldown, so a test that needs a stall first waits the cooldown
 * out.
 */
class MsmOSGiTest {
    private static final String SMMU = "smmuv3.0";
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    /** A second GPU, with a cooldown long enough that the job after a fault surely starts within it. */
    private static final DeviceId COOLING_GPU = DeviceId.parse("platform:gpu1");
    private static final long LONG_COOLDOWN_MS = 3000;
    private static final long BUFFER = 0x1_0000_0000L;
    private static final long HOLE = 0x1_0020_0000L;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    FaultStatistics statistics;

    @InjectService
    LogReaderService logReader;

    private final List<String> faultLines = new CopyOnWriteArrayList<>();
    private final LogListener listener = entry -> {
        if (entry.getMessage().startsWith("*** gpu fault: ")) {
            faultLines.add(entry.getMessage());
        }
    };
    private AdrenoGpu gpu;

    @BeforeEach
    void deploy() throws Exception {
        Services.factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        Services.plug(context, GPU + "@" + SMMU + ":0x30:stall");
        SmmuDomains domains = Services.service(context, SmmuDomains.class, "(iommu.name=" + SMMU + ")");
        Services.await(() -> domains.devices().contains(GPU));
        Services.factory(admin, "dev.faultline.drivers.msm", "faultline.device",
                Map.of("faultline.device", GPU.toString(), "name", "a660", "run.period.ms", 2L));
        gpu = Services.service(context, AdrenoGpu.class, "(faultline.device=" + GPU + ")");
        awaitServing(GPU);
        logReader.addLogListener(listener);
    }

    @AfterEach
    void stopListening() {
        logReader.removeLogListener(listener);
    }

    /**
     * Waits until the core routes the GPU's faults to its driver: the service is visible to this test before the
     * core has taken the registration in, and a fault before that is answered by the core, without the driver.
     */
    private void awaitServing(DeviceId device) {
        String serves = "device " + device + ": serves";
        Services.await(() -> statistics.handlers().stream().anyMatch(h -> h.state() == HandlerStatus.State.ACTIVE
                && h.standing().contains(serves)));
    }

    private int context() {
        int ctx = gpu.createContext();
        gpu.map(ctx, BUFFER, 0x2000, Permissions.READ_WRITE);
        return ctx;
    }

    private ContextStatus status(int ctx) {
        return gpu.status().contexts().stream().filter(c -> c.id() == ctx).findFirst().orElseThrow();
    }

    private FaultCounts counts() {
        return counts(GPU);
    }

    private FaultCounts counts(DeviceId device) {
        return statistics.devices().stream().filter(d -> d.device().equals(device.toString()))
                .map(DeviceStatus::counts).findFirst().orElseThrow();
    }

    /** Reads a pending snapshot and waits the cooldown out, so that the GPU's next job starts with stall on. */
    private static void armStall(AdrenoGpu gpu) {
        gpu.readCrashState();
        long reenable = gpu.status().stallReenableNanos();
        Services.await(() -> System.nanoTime() - reenable > 0);
    }

    /**
     * As {@link #armStall(AdrenoGpu)}, once the driver has handled {@code faults} faults in all: a fault's report
     * may reach the driver after its job ended, and each one handled restarts the cooldown.
     */
    private static void armStall(AdrenoGpu gpu, long faults) {
        Services.await(() -> gpu.status().faults() >= faults);
        armStall(gpu);
    }

    private static List<GpuCommand> faulting(int marker) {
        return List.of(GpuCommand.scratch(7, marker), GpuCommand.write(GpuBlock.CP, BUFFER, marker),
                GpuCommand.write(GpuBlock.CCU, HOLE + 0x40, marker), GpuCommand.write(GpuBlock.CP, BUFFER + 8, marker));
    }

    @Test
    void aStalledFaultIsSnapshottedTerminatedAndOnlyTheFaultingContextIsReset() {
        int a = context();
        int b = context();
        long snapshotsBefore = gpu.status().snapshots();
        armStall(gpu);
        long dispatchedBefore = counts().dispatched();

        long bad = gpu.submit(a, faulting(1));
        long laterOfA = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER + 16, 0xa)));
        long ofB = gpu.submit(b, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 0xb),
                GpuCommand.read(GpuBlock.TP, BUFFER + 8)));

        Services.await(() -> gpu.job(ofB) == JobState.COMPLETED);
        assertThat(gpu.job(bad)).isEqualTo(JobState.FAULTED);
        assertThat(gpu.job(laterOfA)).isEqualTo(JobState.CANCELLED);
        assertThat(gpu.readWord(a, BUFFER)).isEqualTo(1);
        assertThat(gpu.readWord(a, BUFFER + 8)).as("the step after the terminated access never ran").isZero();
        assertThat(gpu.readWord(b, BUFFER)).isEqualTo(0xb);
        assertThat(status(a).faults()).isEqualTo(1);
        assertThat(status(b).faults()).isZero();
        assertThat(status(b).completedJobs()).isEqualTo(1);

        Services.await(() -> gpu.status().snapshots() == snapshotsBefore + 1);
        GpuSnapshot snapshot = gpu.readCrashState().orElseThrow();
        assertThat(snapshot.job()).isEqualTo(bad);
        assertThat(snapshot.context()).isEqualTo(a);
        assertThat(snapshot.iova()).isEqualTo(HOLE + 0x40);
        assertThat(snapshot.type()).isEqualTo(FaultType.TRANSLATION);
        assertThat(snapshot.source()).isEqualTo("CCU");
        assertThat(snapshot.scratch().get(7)).isEqualTo(1L);
        String line = String.format("*** gpu fault: ttbr0=%016x iova=%016x dir=WRITE "
                + "type=TRANSLATION source=CCU (0,0,0,1)", status(a).ttbr0(), HOLE + 0x40);
        Services.await(() -> faultLines.contains(line)); // log listeners are called on the log's own thread

        FaultCounts counts = counts();
        assertThat(counts.dispatched() - dispatchedBefore).as("the stall reached the handler as a page request")
                .isGreaterThanOrEqualTo(1);
        assertThat(counts.answeredInvalid()).isGreaterThanOrEqualTo(1);
        assertThat(counts.noHandler()).isZero();

        long again = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER + 16, 0xaa)));
        Services.await(() -> gpu.job(again) == JobState.COMPLETED);
        assertThat(gpu.readWord(a, BUFFER + 16)).isEqualTo(0xaa);
    }

    @Test
    void anUnreadSnapshotHoldsBackTheNextUntilItIsRead() throws Exception {
        int a = context();
        armStall(gpu);
        long before = gpu.status().snapshots();
        long faults = gpu.status().faults();

        long first = gpu.submit(a, faulting(2));
        Services.await(() -> gpu.job(first) == JobState.FAULTED);
        // the job may end (its access timed out) before the fault thread got to the snapshot on a loaded machine
        Services.await(() -> gpu.status().snapshots() == before + 1);
        long second = gpu.submit(a, faulting(3));
        Services.await(() -> gpu.job(second) == JobState.FAULTED);
        assertThat(gpu.status().snapshots()).isEqualTo(before + 1);

        assertThat(gpu.readCrashState()).hasValueSatisfying(s -> assertThat(s.job()).isEqualTo(first));
        armStall(gpu, faults + 2);
        long third = gpu.submit(a, faulting(4));
        Services.await(() -> gpu.job(third) == JobState.FAULTED);
        // as for the first: the fault thread may take the snapshot after the job has ended
        Services.await(() -> gpu.status().snapshots() == before + 2);
        assertThat(gpu.readCrashState()).hasValueSatisfying(s -> assertThat(s.job()).isEqualTo(third));
        assertThat(gpu.status().stallControl()).as("the SMMUv3 backend switches the GPU's stall").isTrue();
        assertThat((String) Services.shell(context, "faultline:gpu --json")).contains("{\"gpu\": \"" + GPU + "\"");
        assertThat((String) Services.shell(context, "faultline:gpu")).startsWith("gpus:\ngpu ")
                .contains(GPU.toString()).contains("contexts:\n");
    }

    @Test
    void theDriverTurnsStallBackOnAtTheFirstJobAfterTheCooldown() {
        int a = context();
        armStall(gpu);
        long snapshots = gpu.status().snapshots();
        long bad = gpu.submit(a, faulting(5));
        Services.await(() -> gpu.job(bad) == JobState.FAULTED);
        Services.await(() -> gpu.status().snapshots() == snapshots + 1);
        assertThat(gpu.status().stallEnabled()).isFalse();
        assertThat(gpu.readCrashState()).hasValueSatisfying(s -> assertThat(s.job()).isEqualTo(bad));

        long reenable = gpu.status().stallReenableNanos();
        Services.await(() -> System.nanoTime() - reenable > 0);
        long good = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 5)));
        Services.await(() -> gpu.job(good) == JobState.COMPLETED);

        assertThat(gpu.status().stallEnabled()).isTrue();
    }

    @Test
    void duringTheCooldownTheSmmuAbortsAFaultAtOnceAndAfterItTheNextJobsFaultStallsAgain() throws Exception {
        Services.plug(context, COOLING_GPU + "@" + SMMU + ":0x31:stall");
        SmmuDomains domains = Services.service(context, SmmuDomains.class, "(iommu.name=" + SMMU + ")");
        Services.await(() -> domains.devices().contains(COOLING_GPU));
        Services.factory(admin, "dev.faultline.drivers.msm", "faultline.device",
                Map.of("faultline.device", COOLING_GPU.toString(), "name", "a740", "run.period.ms", 2L,
                        "stall.cooldown.ms", LONG_COOLDOWN_MS));
        AdrenoGpu cooling = Services.service(context, AdrenoGpu.class, "(faultline.device=" + COOLING_GPU + ")");
        awaitServing(COOLING_GPU);
        Smmu smmu = Services.service(context, Smmu.class, "(iommu.name=" + SMMU + ")");
        assertThat(cooling.status().stallControl()).isTrue();
        int ctx = cooling.createContext();
        cooling.map(ctx, BUFFER, 0x2000, Permissions.READ_WRITE);
        armStall(cooling);
        long stalls = smmu.statistics().stalls();
        long faults = cooling.status().faults();
        long stalledFaults = cooling.status().stalledFaults();
        FaultCounts before = counts(COOLING_GPU);

        long snapshots = cooling.status().snapshots();
        long first = cooling.submit(ctx, faulting(11));
        Services.await(() -> cooling.job(first) == JobState.FAULTED);
        Services.await(() -> cooling.status().snapshots() == snapshots + 1);
        assertThat(smmu.statistics().stalls() - stalls).as("the first fault stalled in the SMMU").isEqualTo(1);
        assertThat(cooling.status().stallEnabled()).isFalse();
        assertThat(cooling.readCrashState()).as("its snapshot, read so that only the cooldown keeps stall off")
                .hasValueSatisfying(s -> assertThat(s.job()).isEqualTo(first));

        long during = cooling.submit(ctx, faulting(12));
        Services.await(() -> cooling.job(during) == JobState.FAULTED);
        Services.await(() -> cooling.status().faults() == faults + 2); // its report reached the handler
        assertThat(smmu.statistics().stalls() - stalls).as("the SMMU aborted it without stalling").isEqualTo(1);
        assertThat(cooling.status().stalledFaults() - stalledFaults).isEqualTo(1);
        FaultCounts cooled = counts(COOLING_GPU);
        assertThat(cooled.dispatched() - before.dispatched()).as("page request groups: the first fault's").isEqualTo(1);
        assertThat(cooled.delivered() - before.delivered()).as("the second came as an unrecoverable fault")
                .isEqualTo(1);
        assertThat(cooling.readCrashState()).as("no snapshot of a fault that did not stall").isEmpty();

        long reenable = cooling.status().stallReenableNanos();
        Services.await(() -> System.nanoTime() - reenable > 0);
        long after = cooling.submit(ctx, faulting(13));
        Services.await(() -> cooling.job(after) == JobState.FAULTED);
        Services.await(() -> cooling.status().snapshots() == snapshots + 2);
        assertThat(smmu.statistics().stalls() - stalls).as("stall back on in the SMMU").isEqualTo(2);
        assertThat(cooling.status().stalledFaults() - stalledFaults).isEqualTo(2);
        assertThat(counts(COOLING_GPU).dispatched() - before.dispatched()).isEqualTo(2);
        assertThat(cooling.readCrashState()).hasValueSatisfying(s -> assertThat(s.job()).isEqualTo(after));
    }
}
