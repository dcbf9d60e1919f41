package dev.faultline.vtd.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.VtdIommu;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The production VT-d driver on a plain class path, as the soak runs it: programs the unit (or takes over a unit
 * a previous instance left running) with a one-page page request queue so that bursts overflow it, its error and
 * warning lines sent to a sink the soak counts, and its counters readable.
 */
public final class SoakVtdDriver implements AutoCloseable {
    private final UnitDriver driver;

    /**
     * Starts a driver of {@code unit} connected to {@code pipeline}.
     *
     * @param problems receives the error and warning lines
     */
    public SoakVtdDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline,
            Consumer<String> problems) {
        this(unit, allocator, pipeline, problems, System::nanoTime, null, null);
    }

    /**
     * Starts a driver as above whose interrupt threads are its own ({@code kicked} null) or, for the deterministic
     * simulation, none: each interrupt runs {@code kicked}, and the simulation calls {@link #pass()}; where a fresh
     * thread would take the queues over from one a handler holds, {@code successor} is given what it runs.
     *
     * @param clock the driver's time (its print rate limit and invalidation timeouts)
     */
    public SoakVtdDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline,
            Consumer<String> problems, LongSupplier clock, Runnable kicked, Consumer<Runnable> successor) {
        LogSink sink = new LogSink() {
            @Override
            public void error(String line) {
                problems.accept(line);
            }

            @Override
            public void warn(String line) {
                problems.accept(line);
            }

            @Override
            public void info(String line) {
            }
        };
        driver = new UnitDriver(unit, allocator, pipeline, new DriverSettings(0, 1_000_000_000L, 10, 5_000_000_000L),
                sink, clock, kicked, successor);
        driver.start();
    }

    /**
     * What the interrupt thread does when woken (a driver without a thread).
     *
     * @return whether there was work and the pass is still this thread's (the thread then looks again at once)
     */
    public boolean pass() {
        return driver.pass() == FaultRecordReader.AGAIN;
    }

    /** The driver's attach service. */
    public VtdIommu iommu() {
        return driver;
    }

    /** Whether it took the unit over from a previous instance. */
    public boolean tookOver() {
        return driver.tookOver();
    }

    /** Page request descriptors it took off the queue: reported, rejected by itself, or Stop Markers dropped. */
    public long pageRequestsTaken() {
        DriverCounters c = driver.counters();
        return c.pageRequestsReported() + c.badPageRequests() + c.stopMarkers();
    }

    /**
     * Fault records it took from the fault recording registers, whatever became of them: delivered to a handler,
     * kept silent for a guest, printed, or kept from printing by the rate limit.
     */
    public long faultRecordsTaken() {
        DriverCounters c = driver.counters();
        return c.faultsDelivered() + c.faultsGuestSilenced() + c.faultsPrinted() + c.faultsPrintSuppressed();
    }

    /** Faults it reported to the core: page requests and fault records. */
    public long reported() {
        DriverCounters c = driver.counters();
        return c.pageRequestsReported() + c.faultsReported();
    }

    /** Page requests it rejected and answered itself (unknown requester, malformed request). */
    public long rejectedPageRequests() {
        return driver.counters().badPageRequests();
    }

    /** Page request queue and fault recording overflows it saw. */
    public long overflows() {
        DriverCounters c = driver.counters();
        return c.queueOverflows() + c.faultRecordOverflows();
    }

    /** Quiesces and disconnects; the unit keeps running and queueing for the next one. */
    @Override
    public void close() {
        driver.stop();
    }
}
