package dev.faultline.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * The shared (benchmark-scoped) half of every dispatch benchmark: builds the workload for the run's thread
 * count, builds the variant's path, checks it ({@link SetupCheck}), hands each benchmark thread its own
 * {@link Lane}, and at the end waits for every fault to be answered before closing the path.
 */
@State(Scope.Benchmark)
public abstract class PathState {
    private static final long DRAIN_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(30);

    /** Devices per fault source (per thread). */
    @Param({"1", "1024"})
    public int devices;

    private Workload workload;
    private DispatchPath path;
    private final AtomicInteger nextSource = new AtomicInteger();

    /** Builds and checks the variant for the run's thread count. */
    @Setup(Level.Trial)
    public void open(BenchmarkParams params) throws Exception {
        open(devices, params.getThreads());
    }

    /** Builds and checks the variant for {@code threads} threads of {@code devicesPerSource} devices each. */
    void open(int devicesPerSource, int threads) throws Exception {
        workload = Workload.create(devicesPerSource, threads);
        path = createPath(workload);
        try {
            SetupCheck.verify(workload, path);
        } catch (RuntimeException e) {
            path.close();
            throw e;
        }
        nextSource.set(0);
    }

    /** Builds the variant's path over {@code workload}. */
    protected abstract DispatchPath createPath(Workload workload) throws Exception;

    /** The lane of the next benchmark thread. */
    Lane claimLane() {
        int source = nextSource.getAndIncrement();
        if (source >= workload.sources()) {
            throw new IllegalStateException("more benchmark threads than fault sources (" + workload.sources() + ")");
        }
        return new Lane(workload.ring(source), path.sender(source));
    }

    /** Waits for every dispatched fault to be answered, then stops the path. */
    @TearDown(Level.Trial)
    public void close() throws TimeoutException, InterruptedException {
        try {
            path.drain(DRAIN_TIMEOUT_NANOS);
        } finally {
            path.close();
        }
    }
}
