package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** A unit in memory, a scripted core, a log that keeps its lines and a clock the test moves. */
final class DriverRig implements AutoCloseable {
    static final long MEMORY_TOP = 1L << 40;
    final PhysicalMemory memory = new PhysicalMemory();
    final FrameAllocator os = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
    final FrameAllocator pages = new FrameAllocator(memory, 0x8000_0000L, 0x1000_0000L);
    final RemappingUnit unit;
    final ScriptedPipeline pipeline = new ScriptedPipeline();
    final RecordingLog log = new RecordingLog();
    final List<String> lines = log.lines;
    final AtomicLong clock = new AtomicLong(1_000_000_000L);
    UnitDriver driver;

    DriverRig() {
        this(UnitConfiguration.standard("dmar0", 0, 8, MEMORY_TOP));
    }

    DriverRig(UnitConfiguration configuration) {
        unit = new RemappingUnit(configuration, memory);
    }

    /** Builds and starts a driver with {@code settings} (the clock only drives the rate limit). */
    UnitDriver start(DriverSettings settings) {
        driver = new UnitDriver(unit, os, pipeline, settings, log, () -> clock.get());
        driver.start();
        return driver;
    }

    UnitDriver start() {
        return start(new DriverSettings(4, TimeUnit.SECONDS.toNanos(5), 10, TimeUnit.SECONDS.toNanos(5)));
    }

    /** Waits (bounded) until {@code condition} holds. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
            LockSupport.parkNanos(1_000_000L);
        }
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.stop();
        }
    }
}
