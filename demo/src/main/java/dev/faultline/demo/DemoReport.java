package dev.faultline.demo;

import dev.faultline.api.stats.FaultCounts;
import java.util.List;
import java.util.Objects;

/**
 * What one demo run did: its steps and the core's counters over the run.
 *
 * @param steps every step, in order
 * @param counts the core's totals accumulated during the run (after minus before)
 * @param balanced whether the core's totals balanced at the end ({@link FaultCounts#balanced()})
 * @param recoveries recoveries the drivers performed during the run (remote processor, GPU contexts)
 * @param latency report-to-response latency of the groups the demo's own handlers answered
 * @param guests what reached guests' virtual IOMMUs during the run (since 1.1)
 * @param millis how long the run took
 */
public record DemoReport(List<StepResult> steps, FaultCounts counts, boolean balanced, List<Recovery> recoveries,
        Latency latency, GuestFaults guests, long millis) {

    public DemoReport {
        steps = List.copyOf(steps);
        recoveries = List.copyOf(recoveries);
        Objects.requireNonNull(guests, "guests");
    }

    /** A report of a run in which no guest ran (the constructor of version 1.0). */
    public DemoReport(List<StepResult> steps, FaultCounts counts, boolean balanced, List<Recovery> recoveries,
            Latency latency, long millis) {
        this(steps, counts, balanced, recoveries, latency, GuestFaults.NONE, millis);
    }

    /** Whether no step failed. */
    public boolean passed() {
        return steps.stream().noneMatch(s -> s.outcome() == StepResult.Outcome.FAILED) && balanced;
    }

    /**
     * Recoveries one driver made.
     *
     * @param driver what recovered, e.g. {@code remoteproc mpss}
     * @param count how many times during the run
     */
    public record Recovery(String driver, long count) {
    }

    /**
     * Latency from the core's receipt of a group's last request to its answer.
     *
     * @param groups how many groups were measured
     * @param p50Micros median
     * @param p99Micros 99th percentile
     * @param maxMicros maximum
     */
    public record Latency(long groups, double p50Micros, double p99Micros, double maxMicros) {
    }

    /**
     * Faults of devices given to guests, as the guests' virtual IOMMUs counted them, and what the host printed
     * of them.
     *
     * @param guests how many guests ran
     * @param forwarded faults the core routed to the guests' virtual IOMMUs
     * @param read events the guests read from their queues
     * @param answered page request groups the guests answered (answers the vIOMMUs accepted)
     * @param hostPrints host log lines naming a guest's device while its faults were handled; 0 when the host
     *     kept the guests' faults to itself
     * @since 1.1
     */
    public record GuestFaults(int guests, long forwarded, long read, long answered, long hostPrints) {
        /** No guest ran. */
        public static final GuestFaults NONE = new GuestFaults(0, 0, 0, 0, 0);
    }
}
