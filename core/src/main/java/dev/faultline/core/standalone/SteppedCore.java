package dev.faultline.core.standalone;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.internal.Core;
import dev.faultline.core.internal.configure.HandlerPolicy;
import java.util.Map;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The production fault pipeline driven by its caller, for deterministic simulations: it reads the time from the
 * caller's clock and starts none of its threads. The caller does what the threads would: it calls
 * {@link #expireDeadlines()} and {@link #scanForBlockedHandlers()} where the watchdog thread would wake up, and it
 * serves a queued handler's queue when {@link QueueServer} is told that a group was queued. Reports read the clock
 * (there is no clock thread). Everything else (grouping, routing, exactly-once answers, deadlines, quarantine,
 * statistics) is the {@link StandaloneCore}'s and the component's.
 *
 * <pre>{@code
 * SteppedCore core = StandaloneCore.builder().inlineBlockMillis(20)
 *         .stepped(scheduler::now, (queue, serveOldest) -> scheduler.soon(serveOldest));
 * ...
 * scheduler.every(tick, () -> { core.expireDeadlines(); core.scanForBlockedHandlers(); });
 * }</pre>
 *
 * <p>Built by {@link StandaloneCore.Builder#stepped}. Thread-safe as the core is; a simulation calls it from one
 * thread.
 */
public final class SteppedCore implements AutoCloseable {
    private final Core core;

    SteppedCore(Core core) {
        this.core = core;
    }

    /** Told of each group queued for a queued handler; serves the queue when the simulation's thread would. */
    @ConsumerType
    @FunctionalInterface
    public interface QueueServer {
        /**
         * A group was queued.
         *
         * @param queue the handler's queue: the same object for every group queued to the same handler
         * @param serveOldest serves the queue's oldest group (calls the handler with it); false if the queue was
         *     empty
         */
        void queued(Object queue, BooleanSupplier serveOldest);
    }

    /** The service backends connect to. */
    public FaultPipeline pipeline() {
        return core;
    }

    /** The counters, pending groups and handlers. */
    public FaultStatistics statistics() {
        return core;
    }

    /**
     * Registers a handler with the service properties it would have in a framework, as
     * {@link StandaloneCore#register} does.
     *
     * @return the id to {@link #unregister} it with
     */
    public long register(FaultHandler handler, Map<String, ?> properties) {
        return core.addHandler(Objects.requireNonNull(handler, "handler"), properties, HandlerPolicy.STANDALONE_BUNDLE);
    }

    /** Unregisters a handler in the core's lifecycle order, as {@link StandaloneCore#unregister} does. */
    public void unregister(long id) {
        core.removeHandler(id);
    }

    /**
     * What the watchdog thread does at each wake-up: answers the held groups whose deadline has passed on their
     * handlers' behalf, and ends the clean-up windows that are over.
     *
     * @return the groups answered
     */
    public int expireDeadlines() {
        return core.expireDeadlines();
    }

    /**
     * What the watchdog thread does every half blocking threshold ({@link StandaloneCore.Builder#inlineBlockMillis}):
     * finds inline handler calls that block their IOMMU's thread, answers those past their deadline, quarantines
     * and releases handlers.
     */
    public void scanForBlockedHandlers() {
        core.scanForBlockedHandlers();
    }

    /** Disconnects every IOMMU (answering its pending groups INVALID) and departs every handler. */
    @Override
    public void close() {
        core.close();
    }
}
