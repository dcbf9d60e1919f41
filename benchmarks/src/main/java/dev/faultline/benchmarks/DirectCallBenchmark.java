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

/**
 * The bare limit ({@link DirectCall}): throughput only, since sampling a 2 ns call measures the timer
 * (METHOD.md §3).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class DirectCallBenchmark {

    /** The handler table. */
    @State(Scope.Benchmark)
    public static class Table extends PathState {
        @Override
        protected DispatchPath createPath(Workload workload) {
            return new DirectCall(workload);
        }
    }

    /** A thread's lane. */
    @State(Scope.Thread)
    public static class Caller extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(Table table) {
            claim((PathState) table);
        }
    }

    /** One thread. */
    @Benchmark
    public int call(Caller caller) {
        return caller.next();
    }

    /** Two threads, each with its own devices. */
    @Benchmark
    @Threads(2)
    public int call_t2(Caller caller) {
        return caller.next();
    }
}
