package dev.faultline.benchmarks;

import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

/**
 * Faultline's core ({@link FaultlineCore}): backend report, grouping, routing through the attached domain,
 * handler call, exactly-once answer, {@code sendPageResponse}. Inline handlers with 1 and 2 IOMMUs (threads);
 * deferred ({@code defer()} or {@code deferToken()} + a worker thread) and queued
 * ({@code faultline.dispatch=queued}) handlers with one.
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class FaultlineBenchmark {

    /** The core with inline handlers answering inside {@code handle}. */
    @State(Scope.Benchmark)
    public static class Inline extends PathState {
        @Override
        protected DispatchPath createPath(Workload workload) {
            return new FaultlineCore(workload, FaultlineCore.Handling.INLINE, FaultlineCore.Flow.ROUND_TRIP);
        }
    }

    /**
     * The inline core while a monitor reads its statistics in a loop, back to back ({@code scraper}): nobody
     * ({@code none}, the baseline), the metrics endpoint's whole text ({@code metrics}), or a JMX client reading
     * every attribute of every {@code dev.faultline} MBean ({@code jmx}), or the metrics text once a millisecond
     * ({@code paced}: far more often than any real scraper). The ratio to {@code none} in the same run is what
     * reading costs the fault path.
     */
    @State(Scope.Benchmark)
    public static class InlineRead extends PathState {
        /** Who reads the statistics meanwhile. */
        @Param({"none", "metrics", "jmx", "paced"})
        public String scraper;

        private StatisticsReader reader;

        @Override
        protected DispatchPath createPath(Workload workload) throws Exception {
            FaultlineCore core = new FaultlineCore(workload, FaultlineCore.Handling.INLINE,
                    FaultlineCore.Flow.ROUND_TRIP);
            reader = StatisticsReader.start(core.statistics(), StatisticsReader.Scraper.of(scraper));
            return core;
        }

        /** Whether the reader (if any) read at least once. */
        boolean readerHasRead() {
            return reader == null || reader.reads() > 0;
        }

        /** Stops the reader; fails if it never read. */
        @TearDown(Level.Trial)
        public void stopReader() throws InterruptedException {
            if (reader != null) {
                reader.stop();
            }
        }
    }

    /** The core with handlers answering on another thread, shared by both flows. */
    public abstract static class Async extends PathState {
        /** How the handlers get off the fault thread. */
        @Param({"deferred", "deferred_token", "queued"})
        public String handling;

        /** Whether the source waits for each answer. */
        abstract FaultlineCore.Flow flow();

        @Override
        protected DispatchPath createPath(Workload workload) {
            return new FaultlineCore(workload, FaultlineCore.Handling.valueOf(handling.toUpperCase(Locale.ROOT)), flow());
        }
    }

    /** Asynchronous handlers, the source waiting for each answer. */
    @State(Scope.Benchmark)
    public static class RoundTrip extends Async {
        @Override
        FaultlineCore.Flow flow() {
            return FaultlineCore.Flow.ROUND_TRIP;
        }
    }

    /** Asynchronous handlers, at most 1,024 faults in flight. */
    @State(Scope.Benchmark)
    public static class Pipelined extends Async {
        @Override
        FaultlineCore.Flow flow() {
            return FaultlineCore.Flow.PIPELINED;
        }
    }

    /** A fault thread reporting to inline handlers. */
    @State(Scope.Thread)
    public static class InlineSource extends LaneState {
        /** Claims the lane (one IOMMU). */
        @Setup
        public void claim(Inline core) {
            claim((PathState) core);
        }
    }

    /** A fault thread reporting to inline handlers while the statistics are read. */
    @State(Scope.Thread)
    public static class InlineReadSource extends LaneState {
        /** Claims the lane (one IOMMU). */
        @Setup
        public void claim(InlineRead core) {
            claim((PathState) core);
        }
    }

    /** The fault thread of a round trip. */
    @State(Scope.Thread)
    public static class RoundTripSource extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(RoundTrip core) {
            claim((PathState) core);
        }
    }

    /** The fault thread of a pipeline. */
    @State(Scope.Thread)
    public static class PipelinedSource extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(Pipelined core) {
            claim((PathState) core);
        }
    }

    /** Inline handlers, one IOMMU. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public int inline(InlineSource source) {
        return source.next();
    }

    /** Inline handlers, one IOMMU, while a monitor reads the statistics in a loop ({@code scraper}). */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public int inlineRead(InlineReadSource source) {
        return source.next();
    }

    /** Inline handlers, two IOMMUs, each with its own fault thread and devices. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @Threads(2)
    public int inline_t2(InlineSource source) {
        return source.next();
    }

    /** Deferred or queued handlers: report and wait for the answer. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public int roundTrip(RoundTripSource source) {
        return source.next();
    }

    /** Deferred or queued handlers: report without waiting (window of 1,024). */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public int pipelined(PipelinedSource source) {
        return source.next();
    }
}
