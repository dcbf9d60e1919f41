package dev.faultline.core.standalone;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.internal.Core;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.log.LogSink;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The production fault pipeline without a framework: the same grouping, routing, exactly-once answers,
 * deadlines and statistics as the {@code dev.faultline.core} component, with handlers registered by call
 * instead of through the service registry. Thread-safe.
 *
 * <pre>{@code
 * try (StandaloneCore core = StandaloneCore.builder().defaultTimeoutMillis(50).start()) {
 *     long id = core.register(handler, Map.of(HandlerProperties.DOMAIN, "gpu0"));
 *     IommuPort port = core.pipeline().connect(backend);
 *     ...
 * }
 * }</pre>
 */
public final class StandaloneCore implements AutoCloseable {
    private final Core core;

    private StandaloneCore(Core core) {
        this.core = core;
    }

    /** A builder with the component's defaults (see the core's README for each setting). */
    public static Builder builder() {
        return new Builder();
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
     * Registers a handler with the service properties it would have in a framework
     * ({@link dev.faultline.api.handler.HandlerProperties}, {@code service.ranking}).
     *
     * @return the id to {@link #unregister} it with
     */
    public long register(FaultHandler handler, Map<String, ?> properties) {
        return core.addHandler(Objects.requireNonNull(handler, "handler"), properties, HandlerPolicy.STANDALONE_BUNDLE);
    }

    /**
     * Unregisters a handler in the core's lifecycle order: it is not called again (a call in progress is waited
     * for), its held groups stay its own for the clean-up window and are then answered INVALID, and faults of its
     * targets wait for a replacement during the hand-over window.
     */
    public void unregister(long id) {
        core.removeHandler(id);
    }

    /** Disconnects every IOMMU (answering its pending groups INVALID) and stops the core's threads. */
    @Override
    public void close() {
        core.close();
    }

    /** Settings of a {@link StandaloneCore}; defaults are the component's. */
    public static final class Builder {
        private Settings settings = Settings.DEFAULTS;
        private LogSink log = LogSink.NONE;

        private Builder() {
        }

        /** Bounds on parked partial page requests, per device and in total. */
        public Builder partials(int perDevice, int total) {
            settings = settings.withPartials(perDevice, total);
            return this;
        }

        /** The deadline of deferred and queued groups for handlers without {@code faultline.timeout.ms}. */
        public Builder defaultTimeoutMillis(long millis) {
            settings = settings.withDefaultTimeoutMillis(millis);
            return this;
        }

        /** The capacity of each queued handler's queue. */
        public Builder queueDepth(int depth) {
            settings = settings.withQueueDepth(depth);
            return this;
        }

        /** The host log rate limit: lines per device per interval (Linux: 10 per 5 s). */
        public Builder logRate(int burst, long intervalMillis) {
            settings = settings.withLogRate(burst, intervalMillis);
            return this;
        }

        /**
         * Whether every report reads the system clock, so that {@code FaultGroup.reportedNanos()} is exact
         * (default: the core's millisecond clock, which saves a clock read per fault).
         */
        public Builder preciseTimestamps(boolean precise) {
            settings = settings.withPreciseTimestamps(precise);
            return this;
        }

        /**
         * How long an inline handler call may run before it counts as blocking its IOMMU's thread (the component's
         * {@code inline.block.ms}); the watchdog scans every half of it.
         */
        public Builder inlineBlockMillis(long millis) {
            settings = settings.withInlineBlockMillis(millis);
            return this;
        }

        /** Where host log lines go, whatever their level (default: dropped). */
        public Builder log(Consumer<String> sink) {
            this.log = LogSink.lines(Objects.requireNonNull(sink, "sink"));
            return this;
        }

        /** Where host log lines go, by level (default: dropped); replaces {@link #log(Consumer)}. */
        public Builder log(LogSink sink) {
            this.log = Objects.requireNonNull(sink, "sink");
            return this;
        }

        /** Starts the core (its deadline thread runs until {@link StandaloneCore#close()}). */
        public StandaloneCore start() {
            return new StandaloneCore(Core.standalone(settings, log));
        }

        /**
         * A core driven by its caller instead ({@link SteppedCore}): no thread started, its time read from
         * {@code clockNanos}, each group queued for a queued handler handed to {@code server}.
         */
        public SteppedCore stepped(LongSupplier clockNanos, SteppedCore.QueueServer server) {
            Objects.requireNonNull(clockNanos, "clockNanos");
            Objects.requireNonNull(server, "server");
            return new SteppedCore(Core.stepped(settings, clockNanos::getAsLong, log,
                    queue -> server.queued(queue, queue::serveOne)));
        }
    }
}
