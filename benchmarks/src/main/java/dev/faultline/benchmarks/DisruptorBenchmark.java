package dev.faultline.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * An LMAX Disruptor pipeline ({@link DisruptorRing}): one producer (the benchmark thread), one consumer thread.
 * Single producer, so one benchmark thread only (METHOD.md §6).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DisruptorBenchmark {

    /** The ring, the sender waiting for each answer. */
    @State(Scope.Benchmark)
    public static class RoundTrip extends PathState {
        @Override
        protected DispatchPath createPath(Workload workload) {
            return new DisruptorRing(workload, DisruptorRing.Mode.ROUND_TRIP);
        }
    }

    /** The ring, the sender never waiting for answers. */
    @State(Scope.Benchmark)
    public static class Pipelined extends PathState {
        @Override
        protected DispatchPath createPath(Workload workload) {
            return new DisruptorRing(workload, DisruptorRing.Mode.PIPELINED);
        }
    }

    /** The lane of a round trip. */
    @State(Scope.Thread)
    public static class RoundTripProducer extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(RoundTrip ring) {
            claim((PathState) ring);
        }
    }

    /** The lane of the pipeline. */
    @State(Scope.Thread)
    public static class PipelinedProducer extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(Pipelined ring) {
            claim((PathState) ring);
        }
    }

    /** Publish and wait for the answer: the cost of a synchronous hand-off. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public int roundTrip(RoundTripProducer producer) {
        return producer.next();
    }

    /** Publish without waiting (at most the ring's 1,024 faults in flight): faults/s through the ring. */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public int pipelined(PipelinedProducer producer) {
        return producer.next();
    }
}
