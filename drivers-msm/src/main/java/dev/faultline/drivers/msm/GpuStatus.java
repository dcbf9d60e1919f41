package dev.faultline.drivers.msm;

import java.util.List;

/**
 * A snapshot of the GPU's fault-related state.
 *
 * @param device the GPU's device id text
 * @param stallControl whether the driver can switch stall-on-fault (an {@link AdrenoSmmu} serves the GPU)
 * @param stallEnabled whether the driver has stall-on-fault on now
 * @param stallReenableNanos the GPU clock after which stall may be re-enabled (last fault + cooldown)
 * @param faults faults the handler received
 * @param stalledFaults of those, faults whose access was stalled
 * @param linesPrinted fault lines printed
 * @param linesSuppressed fault lines the rate limit suppressed
 * @param snapshots snapshots captured
 * @param crashStatePending whether a captured snapshot waits to be read (no new capture until it is)
 * @param recoveries hang recoveries run
 * @param contexts the contexts
 */
public record GpuStatus(String device, boolean stallControl, boolean stallEnabled, long stallReenableNanos, long faults,
        long stalledFaults, long linesPrinted, long linesSuppressed, long snapshots, boolean crashStatePending,
        long recoveries, List<ContextStatus> contexts) {

    /** Copies the contexts. */
    public GpuStatus {
        contexts = List.copyOf(contexts);
    }
}
