package dev.faultline.drivers.msm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.drivers.msm.ContextStatus;
import dev.faultline.drivers.msm.FaultType;
import dev.faultline.drivers.msm.GpuBlock;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.JobState;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.testkit.clock.ManualClock;
import dev.faultline.testkit.group.RecordingFaultGroup;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class GpuTest {
    private static final StreamId SID = new StreamId(0x30);
    private static final long BUFFER = 0x1_0000_0000L;
    private static final long CONSTANTS = 0x1_0010_0000L;
    private static final long HOLE = 0x1_0020_0000L;
    private static final long MS = 1_000_000L;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final StallingSmmu smmu = new StallingSmmu(SID, memory);
    private final ManualExecutor recovery = new ManualExecutor();
    private final ManualClock clock = ManualClock.at(10_000 * MS);
    private final RecordingLog log = new RecordingLog();

    private Gpu gpu(boolean pasidContexts) {
        Gpu gpu = Gpu.builder("a660").device(SID.toString())
                .dma(DmaDevice.of("gpu", SID.value(), smmu, memory), Duration.ofSeconds(1))
                .memory(new FrameAllocator(memory, 0x8000_0000L, 64 << 20)).smmu(smmu).pasidContexts(pasidContexts)
                .recoveryExecutor(recovery).clock(clock).log(log).build();
        smmu.handler = new GpuFaultHandler(gpu);
        return gpu;
    }

    private static int context(Gpu gpu) {
        int ctx = gpu.createContext();
        gpu.map(ctx, BUFFER, 0x4000, Permissions.READ_WRITE);
        gpu.map(ctx, CONSTANTS, 0x1000, Permissions.READ);
        return ctx;
    }

    private static List<GpuCommand> faultingJob() {
        return List.of(GpuCommand.scratch(7, 1), GpuCommand.write(GpuBlock.CP, BUFFER, 0xaa),
                GpuCommand.write(GpuBlock.CCU, HOLE + 0x20, 0xbb), GpuCommand.write(GpuBlock.CP, BUFFER + 8, 0xcc));
    }

    private static ContextStatus context(Gpu gpu, int id) {
        return gpu.status().contexts().stream().filter(c -> c.id() == id).findFirst().orElseThrow();
    }

    @Test
    void eachContextWritesThroughItsOwnAddressSpace() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        int b = context(gpu);

        long ja = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 0x1111)));
        long jb = gpu.submit(b, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 0x2222),
                GpuCommand.read(GpuBlock.TP, CONSTANTS)));

        assertThat(gpu.run(10)).isEqualTo(2);
        assertThat(gpu.job(ja)).isEqualTo(JobState.COMPLETED);
        assertThat(gpu.job(jb)).isEqualTo(JobState.COMPLETED);
        assertThat(gpu.readWord(a, BUFFER)).isEqualTo(0x1111);
        assertThat(gpu.readWord(b, BUFFER)).isEqualTo(0x2222);
        assertThat(smmu.attachments).containsExactly("1=a660-ctx1", "2=a660-ctx2");
        assertThat(smmu.delivered).isEmpty();
    }

    @Test
    void aStalledFaultIsTerminatedAndRecoveryResetsOnlyTheFaultingContext() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        int b = context(gpu);
        long bad = gpu.submit(a, faultingJob());
        long laterOfA = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER + 16, 0xdd)));
        long ofB = gpu.submit(b, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 0xee)));

        assertThat(gpu.run(10)).isZero();

        assertThat(smmu.delivered).hasSize(1);
        RecordingFaultGroup group = smmu.delivered.get(0);
        assertThat(group.recoverable()).isTrue();
        assertThat(group.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(gpu.readWord(a, BUFFER)).isEqualTo(0xaa);
        assertThat(gpu.readWord(a, BUFFER + 8)).isZero();
        assertThat(gpu.job(bad)).isEqualTo(JobState.RUNNING);
        assertThat(gpu.run(10)).as("a hung ring runs nothing until recovered").isZero();

        assertThat(recovery.runAll()).isEqualTo(1);
        assertThat(gpu.job(bad)).isEqualTo(JobState.FAULTED);
        assertThat(gpu.job(laterOfA)).isEqualTo(JobState.CANCELLED);
        assertThat(gpu.run(10)).isEqualTo(1);
        assertThat(gpu.job(ofB)).isEqualTo(JobState.COMPLETED);
        assertThat(gpu.readWord(b, BUFFER)).isEqualTo(0xee);
        assertThat(context(gpu, a).faults()).isEqualTo(1);
        assertThat(context(gpu, b).faults()).isZero();
        assertThat(context(gpu, b).completedJobs()).isEqualTo(1);
        assertThat(gpu.status().recoveries()).isEqualTo(1);
        assertThat(log.lines).contains("[drm:recover_worker] *ERROR* a660: hangcheck recover!",
                "[drm:recover_worker] *ERROR* a660: reset context 1: job 1 faulted, 1 queued job(s) cancelled");

        long again = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER + 16, 0xff)));
        assertThat(gpu.run(10)).isEqualTo(1);
        assertThat(gpu.job(again)).isEqualTo(JobState.COMPLETED);
        assertThat(gpu.readWord(a, BUFFER + 16)).isEqualTo(0xff);
    }

    @Test
    void theFirstStalledFaultOfAJobIsSnapshottedOnce() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        // while the CCU's write is stalled, two more blocks of the same job fault
        smmu.duringStall = g -> {
            smmu.duringStall = x -> { };
            smmu.deliver(RecordingFaultGroup.pageRequest(SID, a, 100, HOLE + 0x40, Permissions.READ));
            smmu.deliver(RecordingFaultGroup.pageRequest(SID, a, 101, HOLE + 0x80, Permissions.READ));
        };
        long job = gpu.submit(a, faultingJob());

        gpu.run(1);

        assertThat(smmu.delivered).hasSize(3).allSatisfy(g -> assertThat(g.answers()).containsExactly(ResponseCode.INVALID));
        assertThat(gpu.status().snapshots()).isEqualTo(1);
        GpuSnapshot s = gpu.snapshots().get(0);
        assertThat(s.job()).isEqualTo(job);
        assertThat(s.context()).isEqualTo(a);
        assertThat(s.iova()).isEqualTo(HOLE + 0x40);
        assertThat(s.type()).isEqualTo(FaultType.TRANSLATION);
        assertThat(s.completedSteps()).isEqualTo(2);
        assertThat(s.scratch()).hasSize(8).element(7).isEqualTo(1L);
        assertThat(s.commands()).isEqualTo(faultingJob());
        assertThat(s.mappings()).hasSize(2);
        assertThat(s.ttbr0()).isEqualTo(context(gpu, a).ttbr0());
        assertThat(gpu.readCrashState()).contains(s);
        assertThat(gpu.readCrashState()).isEmpty();
    }

    @Test
    void aStalledFaultReachingTheHandlerAfterItsJobWasRecoveredIsStillSnapshottedForThatJob() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        smmu.holdReports = true; // the fault thread gets to the report only after the access gave up
        long job = gpu.submit(a, faultingJob());
        gpu.run(1);
        recovery.runAll();
        assertThat(gpu.job(job)).isEqualTo(JobState.FAULTED);
        long next = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 1)));
        gpu.run(1);
        assertThat(gpu.job(next)).isEqualTo(JobState.COMPLETED);

        smmu.held.forEach(smmu.handler::handle);

        assertThat(gpu.status().snapshots()).isEqualTo(1);
        GpuSnapshot s = gpu.snapshots().get(0);
        assertThat(s.job()).isEqualTo(job);
        assertThat(s.iova()).isEqualTo(HOLE + 0x20);
        assertThat(s.completedSteps()).isEqualTo(2);
        smmu.held.clear();
        smmu.held.add(RecordingFaultGroup.pageRequest(SID, a, 7, BUFFER + 0x2000, Permissions.READ));
        gpu.readCrashState();
        smmu.held.forEach(smmu.handler::handle);
        assertThat(gpu.status().snapshots()).as("a fault at another page is not that job's").isEqualTo(1);
    }

    @Test
    void aFaultTurnsStallOffUntilTheCooldownAfterTheLastFaultHasPassed() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        assertThat(smmu.stall()).isTrue();

        gpu.submit(a, faultingJob());
        gpu.run(1);
        recovery.runAll();
        assertThat(smmu.stall()).isFalse();
        assertThat(gpu.status().stallEnabled()).isFalse();
        assertThat(gpu.readCrashState()).isPresent();

        clock.advanceNanos(499 * MS);
        long second = gpu.submit(a, faultingJob());
        gpu.run(1);
        recovery.runAll();
        assertThat(smmu.delivered).hasSize(2);
        assertThat(smmu.delivered.get(1).recoverable()).as("stall is off: the access is aborted at once").isFalse();
        assertThat(smmu.delivered.get(1).answers()).containsExactly(ResponseCode.INVALID);
        assertThat(gpu.job(second)).isEqualTo(JobState.FAULTED);
        assertThat(gpu.status().snapshots()).isEqualTo(1);

        clock.advanceNanos(500 * MS);
        long good = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 1)));
        gpu.run(1);
        assertThat(gpu.job(good)).isEqualTo(JobState.COMPLETED);
        assertThat(smmu.stall()).as("500 ms after the last fault is not yet after the cooldown").isFalse();

        clock.advanceNanos(1);
        gpu.submit(a, faultingJob());
        gpu.run(1);
        assertThat(smmu.stallChanges).containsExactly(true, false, true, false);
        assertThat(smmu.delivered.get(2).recoverable()).isTrue();
        assertThat(gpu.status().snapshots()).isEqualTo(2);
    }

    @Test
    void stallStaysOffWhileACrashStateIsUnreadUntilDevcoredumpFreesIt() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        gpu.submit(a, faultingJob());
        gpu.run(1);
        recovery.runAll();

        clock.advanceNanos(Duration.ofSeconds(10).toNanos());
        gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 1)));
        gpu.run(1);
        assertThat(smmu.stall()).isFalse();
        assertThat(gpu.status().crashStatePending()).isTrue();

        clock.advanceNanos(Gpu.CRASH_STATE_TIMEOUT_NANOS);
        gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 2)));
        gpu.run(1);
        assertThat(smmu.stall()).isTrue();
        assertThat(gpu.status().crashStatePending()).isFalse();
    }

    @Test
    void printsTheDriversFaultLine() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        gpu.submit(a, faultingJob());
        gpu.run(1);

        long ttbr0 = context(gpu, a).ttbr0();
        assertThat(ttbr0 >>> 48).isEqualTo(a);
        assertThat(log.matching("***")).containsExactly(String.format(
                "*** gpu fault: ttbr0=%016x iova=0000000100200020 dir=WRITE type=TRANSLATION source=CCU (0,0,0,1)",
                ttbr0));
    }

    @Test
    void namesPermissionAndExternalFaults() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        gpu.submit(a, List.of(GpuCommand.write(GpuBlock.SP, CONSTANTS + 8, 5)));
        gpu.run(1);

        assertThat(gpu.snapshots().get(0).type()).isEqualTo(FaultType.PERMISSION);
        assertThat(gpu.snapshots().get(0).source()).isEqualTo("SP");
        assertThat(gpu.handleFault(a, BUFFER, Permissions.READ, true, false)).isEqualTo(FaultType.EXTERNAL);
        assertThat(gpu.handleFault(a, BUFFER, Permissions.READ, false, false)).isEqualTo(FaultType.UNKNOWN);
        assertThat(gpu.handleFault(a, HOLE, Permissions.READ, false, false)).isEqualTo(FaultType.TRANSLATION);
    }

    @Test
    void faultLinesAreRateLimitedLikePrintkWithTheSuppressedCountAfterwards() {
        Gpu gpu = gpu(true);
        int a = context(gpu);

        for (int i = 0; i < 25; i++) {
            gpu.handleFault(a, HOLE + 8L * i, Permissions.READ, false, false);
        }
        clock.advanceNanos(Duration.ofSeconds(5).toNanos() + 1);
        gpu.handleFault(a, HOLE, Permissions.READ, false, false);

        assertThat(log.matching("***")).hasSize(11);
        assertThat(log.lines).contains("adreno_fault_handler: 15 callbacks suppressed");
        assertThat(gpu.status().linesSuppressed()).isEqualTo(15);
        assertThat(gpu.status().linesPrinted()).isEqualTo(11);
        assertThat(gpu.status().faults()).isEqualTo(26);
    }

    @Test
    void ttbrBoundContextsShareThePasidlessSlotAndFaultsGoToTheLoadedContext() {
        Gpu gpu = gpu(false);
        int a = context(gpu);
        int b = context(gpu);
        long ja = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 0xa)));
        long jb = gpu.submit(b, faultingJob());
        long ja2 = gpu.submit(a, List.of(GpuCommand.write(GpuBlock.CP, BUFFER + 8, 0xa2)));

        gpu.run(10);
        recovery.runAll();
        gpu.run(10);

        assertThat(smmu.attachments).containsExactly("-1=a660-ctx1", "-1=a660-ctx2", "-1=a660-ctx1");
        assertThat(smmu.delivered).hasSize(1);
        assertThat(smmu.delivered.get(0).pasid()).isEqualTo(Pasid.NONE);
        assertThat(gpu.job(ja)).isEqualTo(JobState.COMPLETED);
        assertThat(gpu.job(jb)).isEqualTo(JobState.FAULTED);
        assertThat(gpu.job(ja2)).isEqualTo(JobState.COMPLETED);
        assertThat(gpu.snapshots().get(0).context()).isEqualTo(b);
        assertThat(gpu.snapshots().get(0).ttbr0()).isEqualTo(context(gpu, b).ttbr0());
        assertThat(context(gpu, b).faults()).isEqualTo(1);
        assertThat(context(gpu, a).faults()).isZero();
        assertThat(gpu.readWord(a, BUFFER + 8)).isEqualTo(0xa2);
    }

    @Test
    void withoutStallFaultsAreNotSnapshottedButStillRecovered() {
        Gpu gpu = Gpu.builder("a660").dma(DmaDevice.of("gpu", SID.value(), smmu, memory), Duration.ofSeconds(1))
                .memory(new FrameAllocator(memory, 0x8000_0000L, 64 << 20)).smmu(smmu)
                .stallOnFault(false, Duration.ofMillis(500)).recoveryExecutor(recovery).clock(clock).log(log)
                .build();
        smmu.handler = new GpuFaultHandler(gpu);
        int a = context(gpu);
        long job = gpu.submit(a, faultingJob());

        gpu.run(1);
        recovery.runAll();

        assertThat(smmu.delivered).singleElement().satisfies(g -> assertThat(g.recoverable()).isFalse());
        assertThat(gpu.status().snapshots()).isZero();
        assertThat(gpu.job(job)).isEqualTo(JobState.FAULTED);
        assertThat(gpu.status().stalledFaults()).isZero();
    }

    @Test
    void aTerminatedFaultReportedAfterItsJobWasRecoveredStillNamesTheBlockThatFaulted() {
        Gpu gpu = Gpu.builder("a660").dma(DmaDevice.of("gpu", SID.value(), smmu, memory), Duration.ofSeconds(1))
                .memory(new FrameAllocator(memory, 0x8000_0000L, 64 << 20)).smmu(smmu)
                .stallOnFault(false, Duration.ofMillis(500)).recoveryExecutor(recovery).clock(clock).log(log)
                .build();
        smmu.handler = group -> { }; // the report is still in the SMMU's queue
        int a = context(gpu);
        long job = gpu.submit(a, faultingJob());
        gpu.run(1);
        recovery.runAll();
        assertThat(gpu.job(job)).isEqualTo(JobState.FAULTED);

        // the fault thread gets to the report only now: the SMMU's syndrome still names the CCU (FSYNR1)
        gpu.handleFault(a, HOLE + 0x20, Permissions.WRITE, false, false);

        assertThat(log.matching("***")).singleElement().asString().contains("source=CCU");
    }

    @Test
    void accessesAfterAnUnmapFault() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        gpu.unmap(a, BUFFER, 0x4000);

        long job = gpu.submit(a, List.of(GpuCommand.read(GpuBlock.VFD, BUFFER)));
        gpu.run(1);
        recovery.runAll();

        assertThat(gpu.job(job)).isEqualTo(JobState.FAULTED);
        assertThat(gpu.snapshots().get(0).source()).isEqualTo("VFD");
        assertThatThrownBy(() -> gpu.readWord(a, BUFFER)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void refusesUnknownContextsAndEmptyJobs() {
        Gpu gpu = gpu(true);
        int a = context(gpu);

        assertThatThrownBy(() -> gpu.submit(99, List.of(GpuCommand.read(GpuBlock.CP, BUFFER))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("99");
        assertThatThrownBy(() -> gpu.submit(a, List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> gpu.map(a, BUFFER, 0x1000, Permissions.READ))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> gpu.job(12345)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFaultWhoseLineIsSuppressedAllocatesNothing() {
        Gpu gpu = gpu(true);
        int a = context(gpu);
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 10_000; i++) {
            gpu.handleFault(a, HOLE, Permissions.WRITE, false, true);
        }
        // The least of three rounds: a compilation or deoptimisation on a busy machine can allocate once inside
        // a round, while an allocation per fault would show in every round as at least 16 B x 10,000.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 3; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 10_000; i++) {
                gpu.handleFault(a, CONSTANTS + 8, Permissions.WRITE, false, true);
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - before);
        }

        assertThat(least).isLessThan(1024);
        assertThat(gpu.status().linesSuppressed()).isEqualTo(39_990);
    }
}
