package dev.faultline.soak.simulation;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.internal.BrokenWatchdogCore;
import dev.faultline.core.standalone.SteppedCore;
import java.util.Map;

/**
 * The core as the simulation drives it: the production core through its exported entry point
 * ({@link SteppedCore}), or, for the seeded bug, the core's test fixture whose watchdog answers without claiming
 * ({@link BrokenWatchdogCore}). The simulation's watchdog actor calls {@link #expireDeadlines()} at each tick and
 * {@link #scan()} every half blocking threshold.
 */
interface SimCore extends AutoCloseable {
    /** The service the drivers connect to. */
    FaultPipeline pipeline();

    /** The counters, pending groups and handlers. */
    FaultStatistics statistics();

    /** Registers a handler with its service properties. */
    long register(FaultHandler handler, Map<String, ?> properties);

    /** Unregisters a handler in the core's lifecycle order. */
    void unregister(long id);

    /** The watchdog's wake-up: held groups past their deadline, departures. */
    void expireDeadlines();

    /** The watchdog's periodic scan for inline calls that block. */
    void scan();

    @Override
    void close();

    /** The production core. */
    static SimCore of(SteppedCore core) {
        return new SimCore() {
            @Override
            public FaultPipeline pipeline() {
                return core.pipeline();
            }

            @Override
            public FaultStatistics statistics() {
                return core.statistics();
            }

            @Override
            public long register(FaultHandler handler, Map<String, ?> properties) {
                return core.register(handler, properties);
            }

            @Override
            public void unregister(long id) {
                core.unregister(id);
            }

            @Override
            public void expireDeadlines() {
                core.expireDeadlines();
            }

            @Override
            public void scan() {
                core.scanForBlockedHandlers();
            }

            @Override
            public void close() {
                core.close();
            }
        };
    }

    /** The core with the seeded bug: its scan answers blocked inline calls without claiming them. */
    static SimCore withBrokenWatchdog(BrokenWatchdogCore core) {
        return new SimCore() {
            @Override
            public FaultPipeline pipeline() {
                return core.pipeline();
            }

            @Override
            public FaultStatistics statistics() {
                return core.statistics();
            }

            @Override
            public long register(FaultHandler handler, Map<String, ?> properties) {
                return core.register(handler, properties);
            }

            @Override
            public void unregister(long id) {
                core.unregister(id);
            }

            @Override
            public void expireDeadlines() {
                core.expireDeadlines();
            }

            @Override
            public void scan() {
                core.scanWithoutClaim();
            }

            @Override
            public void close() {
                core.close();
            }
        };
    }
}
