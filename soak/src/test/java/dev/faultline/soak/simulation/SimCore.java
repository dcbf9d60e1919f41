package dev.faultline.soak.simulation;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.internal.BrokenWatchdogCore;
import dev.faultline.core.standalone.SteppedCore;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.ToLongBiFunction;

/**
 * The core as the simulation drives it: the production core through its exported entry point
 * ({@link SteppedCore}), or, for the seeded bug, the core's test fixture whose watchdog answers without claiming
 * ({@link BrokenWatchdogCore}). The simulation's watchdog actor calls {@link #expireDeadlines()} at each tick and
 * {@link #scan()} every half blocking threshold.
 */
final class SimCore implements AutoCloseable {
    private final FaultPipeline pipeline;
    private final FaultStatistics statistics;
    private final ToLongBiFunction<FaultHandler, Map<String, ?>> register;
    private final LongConsumer unregister;
    private final Runnable expireDeadlines;
    private final Runnable scan;
    private final Runnable close;

    private SimCore(FaultPipeline pipeline, FaultStatistics statistics,
            ToLongBiFunction<FaultHandler, Map<String, ?>> register, LongConsumer unregister, Runnable expireDeadlines,
            Runnable scan, Runnable close) {
        this.pipeline = pipeline;
        this.statistics = statistics;
        this.register = register;
        this.unregister = unregister;
        this.expireDeadlines = expireDeadlines;
        this.scan = scan;
        this.close = close;
    }

    /** The production core. */
    static SimCore of(SteppedCore core) {
        return new SimCore(core.pipeline(), core.statistics(), core::register, core::unregister,
                core::expireDeadlines, core::scanForBlockedHandlers, core::close);
    }

    /** The core with the seeded bug: its scan answers blocked inline calls without claiming them. */
    static SimCore withBrokenWatchdog(BrokenWatchdogCore core) {
        return new SimCore(core.pipeline(), core.statistics(), core::register, core::unregister,
                core::expireDeadlines, core::scanWithoutClaim, core::close);
    }

    /** The service the drivers connect to. */
    FaultPipeline pipeline() {
        return pipeline;
    }

    /** The counters, pending groups and handlers. */
    FaultStatistics statistics() {
        return statistics;
    }

    /** Registers a handler with its service properties. */
    long register(FaultHandler handler, Map<String, ?> properties) {
        return register.applyAsLong(handler, properties);
    }

    /** Unregisters a handler in the core's lifecycle order. */
    void unregister(long id) {
        unregister.accept(id);
    }

    /** The watchdog's wake-up: held groups past their deadline, departures. */
    void expireDeadlines() {
        expireDeadlines.run();
    }

    /** The watchdog's periodic scan for inline calls that block. */
    void scan() {
        scan.run();
    }

    @Override
    public void close() {
        close.run();
    }
}
