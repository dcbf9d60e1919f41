package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * The CPU-time profiler adds its two columns to a real JMH run (in this JVM, a fraction of a second: it checks
 * that the figures exist and are sane, never how large they are).
 */
class CpuTimeProfilerTest {

    @Test
    void aRunWithTheProfilerReportsCpuTimePerFaultAndCoresBusy() throws Exception {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(DirectCallBenchmark.class.getName() + ".call$")
                .param("devices", "1")
                .forks(0)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(300))
                .timeUnit(TimeUnit.MICROSECONDS)
                .addProfiler(CpuTimeProfiler.class)
                .verbosity(org.openjdk.jmh.runner.options.VerboseMode.SILENT)
                .build()).run();

        assertThat(results).hasSize(1);
        var secondary = results.iterator().next().getAggregatedResult().getSecondaryResults();
        Result<?> perFault = secondary.get(CpuTimeProfiler.CPU_PER_OP);
        Result<?> cores = secondary.get(CpuTimeProfiler.CORES_BUSY);
        assertThat(perFault).as("cpu.time.norm").isNotNull();
        assertThat(perFault.getScoreUnit()).isEqualTo("ns/op");
        assertThat(perFault.getScore()).isPositive();
        assertThat(cores).as("cpu.cores").isNotNull();
        // one benchmark thread kept at least part of a core busy, and no process uses more cores than exist
        assertThat(cores.getScore()).isPositive()
                .isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors() + 0.5);
    }
}
