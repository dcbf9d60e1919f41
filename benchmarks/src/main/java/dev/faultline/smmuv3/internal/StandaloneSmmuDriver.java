package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.smmuv3.SmmuDomains;

/**
 * The SMMUv3 driver outside a framework, built the way the driver's own end-to-end tests build it, for the
 * end-to-end benchmarks: the production driver (bring-up, fault thread, responses) with its log lines dropped.
 */
public final class StandaloneSmmuDriver implements AutoCloseable {
    private static final DriverLog QUIET = new DriverLog() {
        @Override
        public void error(String line) {
        }

        @Override
        public void warn(String line) {
        }

        @Override
        public void info(String line) {
        }
    };

    private final SmmuDriver driver;

    /** Brings {@code smmu} of {@code machine} up with default settings, connected to {@code pipeline}. */
    public StandaloneSmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline) {
        driver = new SmmuDriver(smmu, machine, pipeline, DriverSettings.defaults(), QUIET, System::nanoTime);
        driver.start();
    }

    /** The driver's domain API. */
    public SmmuDomains domains() {
        return driver;
    }

    /** Stops the fault thread and disconnects from the core. */
    @Override
    public void close() {
        driver.stop();
    }
}
