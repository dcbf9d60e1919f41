package dev.faultline.benchmarks;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;

/**
 * Felix EventAdmin ({@link FelixEventAdmin}), with its default 5 s deny-list timeout ({@code timeoutMs=5000})
 * and with timeout handling disabled ({@code timeoutMs=0}; METHOD.md §7).
 */
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g", "-XX:+AlwaysPreTouch"})
public class EventAdminBenchmark {

    /** EventAdmin in a framework started with a given deny-list timeout. */
    public abstract static class Framework extends PathState {
        /** The {@code org.apache.felix.eventadmin.Timeout} in ms: the default, or disabled. */
        @Param({"5000", "0"})
        public int timeoutMs;

        /** The EventAdmin call this state measures. */
        abstract FelixEventAdmin.Delivery delivery();

        @Override
        protected DispatchPath createPath(Workload workload) throws Exception {
            return new FelixEventAdmin(workload, delivery(), timeoutMs);
        }
    }

    /** EventAdmin used with {@code sendEvent}. */
    @State(Scope.Benchmark)
    public static class Send extends Framework {
        @Override
        FelixEventAdmin.Delivery delivery() {
            return FelixEventAdmin.Delivery.SEND;
        }
    }

    /** EventAdmin used with {@code postEvent}. */
    @State(Scope.Benchmark)
    public static class Post extends Framework {
        @Override
        FelixEventAdmin.Delivery delivery() {
            return FelixEventAdmin.Delivery.POST;
        }
    }

    /** A thread's lane for {@code sendEvent}. */
    @State(Scope.Thread)
    public static class Sender extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(Send send) {
            claim((PathState) send);
        }
    }

    /** The lane for {@code postEvent}. */
    @State(Scope.Thread)
    public static class Poster extends LaneState {
        /** Claims the lane. */
        @Setup
        public void claim(Post post) {
            claim((PathState) post);
        }
    }

    /** {@code sendEvent}, one thread. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    public int sendEvent(Sender sender) {
        return sender.next();
    }

    /** {@code sendEvent}, two threads. */
    @Benchmark
    @BenchmarkMode({Mode.Throughput, Mode.SampleTime})
    @Threads(2)
    public int sendEvent_t2(Sender sender) {
        return sender.next();
    }

    /**
     * {@code postEvent}, one thread (EventAdmin's own delivery thread is the second; a second sender would
     * oversubscribe 2 cores, METHOD.md §6).
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    public int postEvent(Poster poster) {
        return poster.next();
    }
}
