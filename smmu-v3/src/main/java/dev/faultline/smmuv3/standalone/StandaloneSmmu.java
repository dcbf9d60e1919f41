package dev.faultline.smmuv3.standalone;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.core.log.LogSink;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.internal.DriverSettings;
import dev.faultline.smmuv3.internal.DriverStatistics;
import dev.faultline.smmuv3.internal.SmmuDriver;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * The production SMMUv3 driver of one SMMU, outside a framework. {@link Builder#start()} brings the SMMU up (or
 * takes over one a previous instance left running, and drains what was queued meanwhile), connects it to the core,
 * announces the devices the machine places behind it and starts the fault thread; {@link #close()} stops it and
 * leaves the SMMU running for the next instance, as the bundle does at a stop.
 *
 * <pre>{@code
 * try (StandaloneCore core = StandaloneCore.builder().start();
 *      StandaloneSmmu smmu = StandaloneSmmu.builder(machineSmmu, machine, core.pipeline()).start()) {
 *     smmu.domains().attachStage1(gpu, Pasid.NONE, Domain.unmanaged("gpu0"), table);
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class StandaloneSmmu implements AutoCloseable {
    private final SmmuDriver driver;

    private StandaloneSmmu(SmmuDriver driver) {
        this.driver = driver;
    }

    /** A builder of the driver of {@code smmu}, one of {@code machine}'s IOMMUs, reporting into {@code pipeline}. */
    public static Builder builder(Smmu smmu, Machine machine, FaultPipeline pipeline) {
        return new Builder(smmu, machine, pipeline);
    }

    /** The SMMU's attach service, the one the bundle registers. */
    public SmmuDomains domains() {
        return driver;
    }

    /**
     * A pass of the fault thread over the event and PRI queues, for a driver built
     * {@linkplain Builder#withoutThreads without threads}. It never waits: when another actor of the simulation holds
     * the queues' pass (a teardown draining them, or a pass whose handler call blocks), nothing runs and it returns
     * {@code false}; call it again later, as the fault thread would take the pass once its holder left it.
     *
     * @return whether the pass ran (or the driver stopped)
     */
    public boolean pass() {
        return driver.pass();
    }

    /** Whether it took the SMMU over from a previous instance. */
    public boolean tookOver() {
        return driver.statistics().tookOver();
    }

    /**
     * Records it took off the event and PRI queues, whatever became of them: reported to the core (stalls, page
     * requests, unrecoverable faults, guests' stage-1 faults forwarded to their vIOMMUs), answered by itself (unknown
     * StreamIDs), dropped by rule (Stop Markers) or skipped because their handling failed.
     */
    public long recordsTaken() {
        DriverStatistics s = driver.statistics();
        return reported() + s.unassignedRecords() + s.stopMarkers() + s.malformedRecords();
    }

    /**
     * Faults it reported to the core: stalls, page requests, unrecoverable faults and guests' stage-1 faults (the
     * core routes those to the guest's vIOMMU).
     */
    public long reported() {
        DriverStatistics s = driver.statistics();
        return s.stallsReported() + s.pageRequestsReported() + s.unrecoverableReported() + s.guestFaultsForwarded();
    }

    /** Records of StreamIDs with no device, which it answered itself (stall terminated, last request denied). */
    public long unassignedRecords() {
        return driver.statistics().unassignedRecords();
    }

    /** Answers of the core it could not send (for a device it does not know). */
    public long lostResponses() {
        return driver.statistics().lostResponses();
    }

    /** Records whose handling failed and were skipped (logged). */
    public long malformedRecords() {
        return driver.statistics().malformedRecords();
    }

    /** Event and PRI queue overflow episodes it saw. */
    public long overflows() {
        DriverStatistics s = driver.statistics();
        return s.eventOverflows() + s.priOverflows();
    }

    /**
     * Stops the driver: interrupts off, the fault thread stopped, the core's pending groups answered and the
     * devices removed from the core. The SMMU keeps translating and queueing for the next instance.
     */
    @Override
    public void close() {
        driver.stop();
    }

    /** Settings of a driver to start; unset ones take the bundle's defaults (Linux's choices). */
    public static final class Builder {
        private final Smmu smmu;
        private final Machine machine;
        private final FaultPipeline pipeline;
        private DriverSettings settings = DriverSettings.defaults();
        private Consumer<String> problems = line -> { };
        private Consumer<String> info = line -> { };
        private @Nullable LogSink log;
        private LongSupplier clock = System::nanoTime;
        private @Nullable Runnable kicked;
        private @Nullable Consumer<Runnable> successor;

        private Builder(Smmu smmu, Machine machine, FaultPipeline pipeline) {
            this.smmu = Objects.requireNonNull(smmu, "smmu");
            this.machine = Objects.requireNonNull(machine, "machine");
            this.pipeline = Objects.requireNonNull(pipeline, "pipeline");
        }

        /**
         * Event and PRI queue entries, log2 (default 8, capped by IDR1.EVTQS and IDR1.PRIQS).
         *
         * @throws IllegalArgumentException outside [0, 19]
         */
        public Builder queueLog2(int eventQueueLog2, int priQueueLog2) {
            settings = new DriverSettings(eventQueueLog2, priQueueLog2, settings.commandQueueLog2(),
                    settings.printBurst(), settings.printIntervalMillis(), settings.recordInvalidStreamIds(),
                    settings.syncTimeoutMillis());
            return this;
        }

        /**
         * The print rate limit: event lines per interval (default Linux's 10 per 5000 ms; an interval of 0 disables
         * the limit).
         *
         * @throws IllegalArgumentException for a negative value
         */
        public Builder printLimit(int burst, long intervalMillis) {
            settings = new DriverSettings(settings.eventQueueLog2(), settings.priQueueLog2(),
                    settings.commandQueueLog2(), burst, intervalMillis, settings.recordInvalidStreamIds(),
                    settings.syncTimeoutMillis());
            return this;
        }

        /** Where error and warning lines go (the kernel's {@code dev_err} and {@code dev_warn}; default: dropped). */
        public Builder log(Consumer<String> sink) {
            this.problems = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Where informational lines go (the kernel's {@code dev_info}; default: dropped). */
        public Builder infoLog(Consumer<String> sink) {
            this.info = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /**
         * Where the lines go, by level: the kernel's {@code dev_err}, {@code dev_warn} and {@code dev_info} to
         * {@link LogSink#error(String)}, {@link LogSink#warn} and {@link LogSink#info}; when given, {@link #log(Consumer)}
         * and {@link #infoLog(Consumer)} are not used.
         */
        public Builder log(LogSink sink) {
            this.log = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** The driver's time in nanoseconds, for its print rate limit (default {@link System#nanoTime()}). */
        public Builder clock(LongSupplier nanos) {
            this.clock = Objects.requireNonNull(nanos, "nanos");
            return this;
        }

        /**
         * A driver without threads, for a deterministic simulation: each interrupt (and the start) runs {@code
         * kicked}, after which the simulation calls {@link StandaloneSmmu#pass()} where the fault thread would run
         * its pass; where a fresh fault thread would take the queues over from one a blocked handler holds,
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
         * @throws IllegalStateException if the SMMU is not in the machine's memory or the core already has an IOMMU
         *     of its name
         */
        public StandaloneSmmu start() {
            LogSink log = this.log != null ? this.log : LogSink.of(problems, problems, info);
            SmmuDriver driver = new SmmuDriver(smmu, machine, pipeline, settings, log, clock, kicked, successor);
            driver.start();
            return new StandaloneSmmu(driver);
        }
    }
}
