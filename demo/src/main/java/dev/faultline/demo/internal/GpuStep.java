package dev.faultline.demo.internal;

import dev.faultline.api.fault.Permissions;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.GpuBlock;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.JobState;
import dev.faultline.demo.StepResult;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * A GPU job writes outside its context's mappings: the SMMU stalls it, the msm driver's handler captures a
 * snapshot and recovers only the faulting context; the next job of that context runs.
 */
final class GpuStep implements DemoStep {
    private static final String TITLE = "GPU context fault and recovery (msm, SMMUv3 stall)";
    private static final long BUFFER = 0x10_0000L;
    private static final long UNMAPPED = 0x80_0000L;

    private final RecoveryCounts recoveries;

    GpuStep(RecoveryCounts recoveries) {
        this.recoveries = recoveries;
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Set<String> expectedLogSources() {
        return Set.of("dev.faultline.drivers-msm");
    }

    @Override
    public StepResult run(DemoServices services) throws InterruptedException {
        Optional<AdrenoGpu> found = services.await(AdrenoGpu.class,
                "(faultline.device=" + DemoTopology.GPU + ")");
        if (found.isEmpty()) {
            return Checks.notRun(TITLE, "no GPU (drivers-msm configured for " + DemoTopology.GPU + ")");
        }
        AdrenoGpu gpu = found.get();
        Checks checks = new Checks();
        long recoveriesBefore = gpu.status().recoveries();
        long snapshotsBefore = gpu.status().snapshots();
        int context = gpu.createContext();
        gpu.map(context, BUFFER, 0x1000, Permissions.READ_WRITE);
        long good = gpu.submit(context, List.of(GpuCommand.write(GpuBlock.CP, BUFFER, 0x1111)));
        checks.expect(services.until(() -> gpu.job(good) == JobState.COMPLETED), "a job writing its buffer completes");
        // stall-on-fault stays off for the driver's cooldown after the GPU's last fault (Linux: 500 ms): a fault
        // then is aborted at once and leaves no snapshot; the first job after it switches stall back on
        long reenable = gpu.status().stallReenableNanos();
        services.until(() -> System.nanoTime() - reenable > 0);
        long bad = gpu.submit(context, List.of(GpuCommand.write(GpuBlock.CP, UNMAPPED, 0xbad)));
        checks.expect(services.until(() -> gpu.job(bad) == JobState.FAULTED
                && gpu.status().recoveries() > recoveriesBefore), "a job writing outside its mappings faults;"
                + " the context is recovered");
        checks.expect(gpu.status().snapshots() > snapshotsBefore && gpu.readCrashState().isPresent(),
                "a snapshot of the faulting job was captured");
        long after = gpu.submit(context, List.of(GpuCommand.write(GpuBlock.CP, BUFFER + 8, 0x2222)));
        checks.expect(services.until(() -> gpu.job(after) == JobState.COMPLETED)
                && gpu.readWord(context, BUFFER + 8) == 0x2222, "the context's next job runs");
        recoveries.add("msm context " + context, gpu.status().recoveries() - recoveriesBefore);
        return checks.result(TITLE);
    }
}
