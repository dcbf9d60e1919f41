package dev.faultline.vtd.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.VtdIommu;

/**
 * The VT-d driver outside a framework, built the way the driver's own end-to-end tests build it, for the
 * end-to-end benchmarks: the production driver (programming, page request thread, responses) with its log
 * lines dropped.
 */
public final class StandaloneVtdDriver implements AutoCloseable {
    private static final LogSink QUIET = new LogSink() {
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

    private final UnitDriver driver;

    /** Programs {@code unit} with default settings, tables from {@code allocator}, connected to {@code pipeline}. */
    public StandaloneVtdDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline) {
        driver = new UnitDriver(unit, allocator, pipeline, DriverSettings.DEFAULTS, QUIET, System::nanoTime);
        driver.start();
    }

    /** The driver's attach API. */
    public VtdIommu iommu() {
        return driver;
    }

    /** Quiesces and disconnects. */
    @Override
    public void close() {
        driver.stop();
    }
}
