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
import org.openjdk.jmh.annotations.Threads;

/** Guava's synchronous EventBus ({@link GuavaEventBus}). */
@BenchmarkMode({Mode.Throughput, Mode.SampleTime})
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class GuavaEventBusBenchmark {

    /** The bus. */
    @State(Scope.Benchmark)
    public static class Bus extends PathState {
        @Override
        protected DispatchPath createPath(Workload workload) {
            return new GuavaEventBus(workload);
        }
    }

    /** A thread's lane. */
    @State(Scope.Thread)
    public static class Poster extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(Bus bus) {
            claim((PathState) bus);
        }
    }

    /** One thread. */
    @Benchmark
    public int post(Poster poster) {
        return poster.next();
    }

    /** Two threads, each with its own devices. */
    @Benchmark
    @Threads(2)
    public int post_t2(Poster poster) {
        return poster.next();
    }
}
