package dev.faultline.drivers.msm;

import dev.faultline.api.fault.Permissions;
import java.util.List;
import java.util.Objects;

/**
 * The GPU state captured at a stalled fault, once per job: the msm devcoredump ({@code msm_gpu_crashstate}
 * with its fault info). The GPU is frozen on the stalled access while it is taken, which is why Linux only
 * captures with stall-on-fault.
 *
 * @param job the faulting job's sequence number
 * @param context the faulting context's id
 * @param ttbr0 the context's TTBR0 (ASID in bits [63:48])
 * @param iova the faulting address
 * @param access the faulting access
 * @param type the fault type
 * @param source the block that made the access
 * @param scratch CP scratch registers 0 to 7
 * @param commands the faulting job's steps
 * @param completedSteps how many of them had completed before the fault
 * @param mappings the context's address space
 * @param capturedNanos the GPU clock when it was taken
 */
public record GpuSnapshot(long job, int context, long ttbr0, long iova, Permissions access, FaultType type,
        String source, List<Long> scratch, List<GpuCommand> commands, int completedSteps,
        List<GpuMapping> mappings, long capturedNanos) {

    /** Copies the lists. */
    public GpuSnapshot {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(source, "source");
        scratch = List.copyOf(scratch);
        commands = List.copyOf(commands);
        mappings = List.copyOf(mappings);
    }
}
