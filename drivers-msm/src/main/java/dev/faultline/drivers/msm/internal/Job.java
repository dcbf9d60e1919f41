package dev.faultline.drivers.msm.internal;

import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.JobState;
import java.util.List;

/** One submitted job ({@code msm_gem_submit}). Guarded by the GPU's lock. */
final class Job {
    final long seqno;
    final GpuContext context;
    final List<GpuCommand> commands;
    JobState state = JobState.QUEUED;
    int completedSteps;
    /** Whether a snapshot was taken for a fault of this job ({@code submit->fault_dumped}). */
    boolean faultDumped;

    Job(long seqno, GpuContext context, List<GpuCommand> commands) {
        this.seqno = seqno;
        this.context = context;
        this.commands = List.copyOf(commands);
    }
}
