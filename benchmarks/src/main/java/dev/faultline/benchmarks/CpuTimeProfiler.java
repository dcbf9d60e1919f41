package dev.faultline.benchmarks;

import com.sun.management.OperatingSystemMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;

/**
 * A JMH profiler that records the benchmark process's CPU time per operation beside the wall-clock score, so that a
 * ratio taken on a busy machine can be checked against the CPU each side actually used: a variant whose threads
 * were descheduled shows a worse wall-clock score but not a worse CPU time per operation.
 *
 * <p>Per iteration it reads the process CPU time (all threads: the benchmark's, the core's helpers, JIT and GC)
 * and the wall clock before and after, and reports two secondary metrics:
 * <ul>
 *   <li>{@code cpu.time.norm}: process CPU nanoseconds per operation, over every operation of the iteration
 *       (JMH's "all ops", as its GC profiler normalises allocation);</li>
 *   <li>{@code cpu.cores}: process CPU time over wall time, the number of cores the run kept busy.</li>
 * </ul>
 * Use it with {@code -prof dev.faultline.benchmarks.CpuTimeProfiler} (benchmarks/run.sh does).
 */
public final class CpuTimeProfiler implements InternalProfiler {
    /** Secondary metric: process CPU nanoseconds per operation. */
    public static final String CPU_PER_OP = "cpu.time.norm";
    /** Secondary metric: process CPU time divided by wall time. */
    public static final String CORES_BUSY = "cpu.cores";

    private final OperatingSystemMXBean os =
            (OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    private long cpuAtStart;
    private long wallAtStart;

    @Override
    public String getDescription() {
        return "Process CPU time per operation and cores kept busy";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        wallAtStart = System.nanoTime();
        cpuAtStart = os.getProcessCpuTime();
    }

    @Override
    public List<? extends Result<?>> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
            IterationResult iterationResult) {
        long cpu = os.getProcessCpuTime() - cpuAtStart;
        long wall = System.nanoTime() - wallAtStart;
        long ops = iterationResult.getMetadata().getAllOps();
        if (cpu <= 0 || wall <= 0 || ops <= 0) {
            return List.of();
        }
        return List.of(
                new ScalarResult(CPU_PER_OP, (double) cpu / ops, "ns/op", AggregationPolicy.AVG),
                new ScalarResult(CORES_BUSY, (double) cpu / wall, "cores", AggregationPolicy.AVG));
    }
}
