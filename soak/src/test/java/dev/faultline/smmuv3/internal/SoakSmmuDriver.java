package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.smmuv3.SmmuDomains;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The production SMMUv3 driver on a plain class path, as the soak runs it: brought up (or, on an SMMU a previous
 * instance left running, taken over) with small queues so that bursts overflow them, its error and warning lines
 * sent to a sink the soak counts, and its counters readable.
 */
public final class SoakSmmuDriver implements AutoCloseable {
    private final SmmuDriver driver;

    /**
     * Starts a driver of {@code smmu} connected to {@code pipeline}.
     *
     * @param queueLog2 log2 of the event and PRI queue entries
     * @param problems receives the error and warning lines
     */
    public SoakSmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline, int queueLog2,
            Consumer<String> problems) {
        this(smmu, machine, pipeline, queueLog2, problems, System::nanoTime, null, null);
    }

    /**
     * Starts a driver as above whose fault threads are its own ({@code kicked} null) or, for the deterministic
     * simulation, none: each interrupt runs {@code kicked}, and the simulation calls {@link #pass()}; where a fresh
     * fault thread would take the queues over from one a handler holds, {@code successor} is given what it runs.
     *
     * @param clock the driver's time (its print rate limit)
     */
    public SoakSmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline, int queueLog2,
            Consumer<String> problems, LongSupplier clock, Runnable kicked, Consumer<Runnable> successor) {
        DriverLog log = new DriverLog() {
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
        driver = new SmmuDriver(smmu, machine, pipeline, new DriverSettings(queueLog2, queueLog2, 8, 10, 5000, true,
                1000), log, clock, kicked, successor);
        driver.start();
    }

    /** What the fault thread does when kicked (a driver without a thread). */
    public void pass() {
        driver.pass();
    }

    /** The driver's domain service. */
    public SmmuDomains domains() {
        return driver;
    }

    /** Whether it took the SMMU over from a previous instance. */
    public boolean tookOver() {
        return driver.statistics().tookOver();
    }

    /** Records of StreamIDs with no device, which it answered itself (stall terminated, last request denied). */
    public long unassignedRecords() {
        return driver.statistics().unassignedRecords();
    }

    /** Answers of the core it could not send (for a device it did not know). */
    public long lostResponses() {
        return driver.statistics().lostResponses();
    }

    /** Records whose handling failed and were skipped. */
    public long malformedRecords() {
        return driver.statistics().malformedRecords();
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

    /** Faults it reported to the core (a guest's stage-1 faults included: the core routes them to its vIOMMU). */
    public long reported() {
        DriverStatistics s = driver.statistics();
        return s.stallsReported() + s.pageRequestsReported() + s.unrecoverableReported() + s.guestFaultsForwarded();
    }

    /** Event and PRI queue overflow episodes it saw. */
    public long overflows() {
        DriverStatistics s = driver.statistics();
        return s.eventOverflows() + s.priOverflows();
    }

    /** Stops the driver; the SMMU keeps running and queueing for the next one. */
    @Override
    public void close() {
        driver.stop();
    }
}
