package dev.faultline.vtd.standalone;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.log.LogSink;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.VtdIommu;
import dev.faultline.vtd.internal.DriverCounters;
import dev.faultline.vtd.internal.DriverSettings;
import dev.faultline.vtd.internal.UnitDriver;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The production VT-d driver of one remapping unit, outside a framework. {@link Builder#start()} programs the unit
 * (or takes over one a previous instance left running, and drains what was queued meanwhile), connects it to the
 * core and starts the interrupt thread; {@link #close()} quiesces it and leaves the unit running for the next
 * instance, as the bundle does at a stop. Devices are announced to the core when first attached, or before with
 * {@link #addDevice}.
 *
 * <pre>{@code
 * try (StandaloneCore core = StandaloneCore.builder().start();
 *      StandaloneVtd dmar = StandaloneVtd.builder(unit, machine.frames(), core.pipeline()).start()) {
 *     dmar.iommu().attach(PciRequesterId.parse("0000:03:00.0"), 5, Domain.sva("proc5"), table.root());
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class StandaloneVtd implements AutoCloseable {
    private final UnitDriver driver;

    private StandaloneVtd(UnitDriver driver) {
        this.driver = driver;
    }

    /**
     * A builder of the driver of {@code unit}, its tables taken from {@code allocator}, reporting into
     * {@code pipeline}.
     */
    public static Builder builder(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline) {
        return new Builder(unit, allocator, pipeline);
    }

    /** The unit's attach service, the one the bundle registers. */
    public VtdIommu iommu() {
        return driver;
    }

    /**
     * Announces a device to the core without attaching it, as the bundle does for the machine's firmware nodes;
     * an SVA domain is refused on a device announced without a PRI capability.
     *
     * @throws IllegalArgumentException if the device is not in the unit's segment
     */
    public void addDevice(PciRequesterId device, boolean pri) {
        driver.addDevice(device, pri);
    }

    /**
     * A pass of the interrupt thread over the fault records and the page request queue, for a driver built
     * {@linkplain Builder#withoutThreads without threads}.
     *
     * <p>It never waits: when another actor of the simulation holds the queues' pass (a teardown draining them, or a
     * pass whose handler call blocks), nothing runs and it returns {@code true}, as the thread would take the pass
     * once its holder left it.
     *
     * @return whether the thread would look again at once: there was work and the pass is still this thread's, or
     *     another actor holds the pass
     */
    public boolean pass() {
        return driver.passAndLookAgain();
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

    /**
     * Quiesces and disconnects: events masked (the unit latches them for the next instance), the interrupt thread
     * stopped, the core's pending groups answered INVALID. The unit keeps translating and queueing.
     */
    @Override
    public void close() {
        driver.stop();
    }

    /** Settings of a driver to start; unset ones take the bundle's defaults (Linux's choices). */
    public static final class Builder {
        private final RemappingUnit unit;
        private final FrameAllocator allocator;
        private final FaultPipeline pipeline;
        private int pageRequestQueueOrder = DriverSettings.DEFAULTS.pageRequestQueueOrder();
        private long invalidationTimeoutNanos = DriverSettings.DEFAULTS.invalidationTimeoutNanos();
        private int logBurst = DriverSettings.DEFAULTS.logBurst();
        private long logIntervalNanos = DriverSettings.DEFAULTS.logIntervalNanos();
        private Consumer<String> problems = line -> { };
        private Consumer<String> info = line -> { };
        private @Nullable LogSink log;
        private LongSupplier clock = System::nanoTime;
        private @Nullable Runnable kicked;
        private @Nullable Consumer<Runnable> successor;

        private Builder(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline) {
            this.unit = Objects.requireNonNull(unit, "unit");
            this.allocator = Objects.requireNonNull(allocator, "allocator");
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        }

        /**
         * The page request queue holds 2^{@code order} 4 KiB pages (default Linux's {@code PRQ_ORDER} 4; an adopted
         * queue keeps its size).
         *
         * @throws IllegalArgumentException outside [0, 7]
         */
        public Builder pageRequestQueueOrder(int order) {
            if (order < 0 || order > 7) {
                throw new IllegalArgumentException("page request queue order " + order + " is outside [0, 7]");
            }
            this.pageRequestQueueOrder = order;
            return this;
        }

        /**
         * How long a page group response waits for its invalidation wait (default 1000 ms).
         *
         * @throws IllegalArgumentException outside [1, 60000]
         */
        public Builder invalidationTimeoutMillis(long millis) {
            if (millis <= 0 || millis > 60_000) {
                throw new IllegalArgumentException("invalidation timeout " + millis + " ms is outside [1, 60000]");
            }
            this.invalidationTimeoutNanos = millis * 1_000_000L;
            return this;
        }

        /**
         * The rate limit of kernel-format lines: lines per interval (default Linux's 10 per 5000 ms; a burst of 0
         * prints none, an interval of 0 disables the limit).
         *
         * @throws IllegalArgumentException for a negative value
         */
        public Builder logLimit(int burst, long intervalMillis) {
            if (burst < 0 || intervalMillis < 0) {
                throw new IllegalArgumentException("log burst " + burst + " and interval " + intervalMillis
                        + " ms must not be negative");
            }
            this.logBurst = burst;
            this.logIntervalNanos = intervalMillis * 1_000_000L;
            return this;
        }

        /** Where error and warning lines go (the kernel's {@code pr_err} and {@code pr_warn}; default: dropped). */
        public Builder log(Consumer<String> sink) {
            this.problems = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Where informational lines go (the kernel's {@code pr_info}; default: dropped). */
        public Builder infoLog(Consumer<String> sink) {
            this.info = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Where the lines go, by level: the kernel's {@code pr_err}, {@code pr_warn} and {@code pr_info} to
         * {@link LogSink#error(String)}, {@link LogSink#warn} and {@link LogSink#info}; when given, {@link #log(Consumer)}
         * and {@link #infoLog(Consumer)} are not used.
         */
        public Builder log(LogSink sink) {
            this.log = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The driver's time in nanoseconds: its rate limits and waits (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanos) {
            this.clock = Objects.requireNonNull(nanos, "nanos");
            return this;
        }

        /**
         * A driver without threads, for a deterministic simulation: each interrupt (and the start) runs {@code
         * kicked}, after which the simulation calls {@link StandaloneVtd#pass()} where the interrupt thread would
         * run its pass; where a fresh thread would take the queues over from one a blocked handler holds,
         * {@code successor} is given what that thread runs, to run as a thread of the simulation's.
         */
        public Builder withoutThreads(Runnable kicked, Consumer<Runnable> successor) {
            this.kicked = Objects.requireNonNull(kicked, "kicked");
            this.successor = Objects.requireNonNull(successor, "successor");
            return this;
        }

        /**
         * Starts the driver.
         *
         * @throws IllegalStateException if the unit lacks scalable mode, first-level translation, queued
         *     invalidation or PASID support, or the core already has an IOMMU of its name
         */
        public StandaloneVtd start() {
            LogSink sink = this.log != null ? this.log : LogSink.of(problems, problems, info);
            UnitDriver driver = new UnitDriver(unit, allocator, pipeline, new DriverSettings(pageRequestQueueOrder,
                    invalidationTimeoutNanos, logBurst, logIntervalNanos), sink, clock, kicked, successor);
            driver.start();
            return new StandaloneVtd(driver);
        }
    }
}
