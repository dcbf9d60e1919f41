package dev.faultline.faultlog;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.GpuBlock;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.JobState;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Logged GPU faults replayed as what they were on the logged machine: an access of a job the GPU ran in a
 * process's context. Each address space the log names (its {@code ttbr0}, else its context bank) becomes one
 * context of the machine's GPU for the whole replay, created empty, so the access faults as a translation fault;
 * a logged permission fault gets its page mapped read-only first (a write to it faults for permission). The job's
 * one step is the logged access by the logged block, so the GPU driver sees it as its own fault: it stalls (while
 * the driver has stall on), the driver prints its line, takes the job's snapshot, terminates the access, and hang
 * recovery fails the job. One instance per replay.
 */
final class GpuJobs {
    private static final long PAGE = 0x1000;
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** a6xx client ids ({@code FSYNR1[7:0]}) and UCHE clients a {@code source=} name can come from. */
    private static final int MIDS = 256;
    private static final int UCHE_CLIENTS = 8;

    private final Map<String, Integer> contexts = new HashMap<>();
    private final Set<String> readOnlyPages = new HashSet<>();

    /**
     * Runs {@code f}'s access as a job of {@code gpu} and waits, until {@code deadline} ({@link System#nanoTime()}),
     * for the job to end.
     *
     * @return what the SMMU did with the access, or empty if the job was cancelled
     */
    Optional<Delivery> run(AdrenoGpu gpu, DeviceId device, DecodedFault f, long deadline) {
        String space = device + " " + addressSpace(f);
        int context = contexts.computeIfAbsent(space, s -> gpu.createContext());
        long address = f.number(FaultField.ADDRESS).orElseThrow() & ~7L;
        boolean write = f.isTrue(FaultField.WRITE) && !f.isTrue(FaultField.READ);
        if (write && permissionFault(f) && readOnlyPages.add(space + " " + (address & ~(PAGE - 1)))) {
            try {
                gpu.map(context, address & ~(PAGE - 1), PAGE, Permissions.READ);
            } catch (IllegalArgumentException beyondTheGpusAddressSpace) {
                // the access faults all the same, for translation
            }
        }
        GpuBlock block = block(f);
        long job = gpu.submit(context, List.of(write ? GpuCommand.write(block, address, 0)
                : GpuCommand.read(block, address)));
        JobState state = gpu.job(job);
        while ((state == JobState.QUEUED || state == JobState.RUNNING) && deadline - System.nanoTime() > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(POLL_NANOS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            state = gpu.job(job);
        }
        return switch (state) {
            case COMPLETED -> Optional.of(Delivery.TRANSLATED);
            case FAULTED -> Optional.of(Delivery.FAULTED);
            case QUEUED, RUNNING -> Optional.of(Delivery.STALLED);
            case CANCELLED -> Optional.empty();
        };
    }

    /** The logged address space: the context's table ({@code ttbr0}), else the context bank, else one for all. */
    private static String addressSpace(DecodedFault f) {
        if (f.determined(FaultField.TTBR0)) {
            return "ttbr0 " + Long.toHexString(f.number(FaultField.TTBR0).getAsLong());
        }
        return f.number(FaultField.CB).stream().mapToObj(cb -> "cb " + cb).findFirst().orElse("");
    }

    /** msm's {@code type=PERMISSION}, an Arm SMMU's FSR.PF, an SMMUv3 F_PERMISSION. */
    private static boolean permissionFault(DecodedFault f) {
        return f.text(FaultField.TYPE).filter("PERMISSION"::equals).isPresent()
                || f.names(FaultField.FSR_FLAGS).contains("PF")
                || f.text(FaultField.EVENT).filter("F_PERMISSION"::equals).isPresent();
    }

    /** The block the log names as {@code source=} (as a6xx decodes it), else the command processor. */
    private static GpuBlock block(DecodedFault f) {
        String source = f.text(FaultField.SOURCE).orElse("CP");
        for (int mid = 0; mid < MIDS; mid++) {
            for (int client = 0; client < UCHE_CLIENTS; client++) {
                GpuBlock b = new GpuBlock(mid, client);
                if (b.name().equals(source)) {
                    return b;
                }
            }
        }
        return GpuBlock.CP;
    }
}
