package dev.faultline.core.internal;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.log.LogSink;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * A core with a deliberately broken watchdog, for the deterministic simulation's test that shows it finds a real bug
 * class (the soak's {@code SeededBugTest}; published in the core's test jar). Otherwise it is the core a
 * {@code SteppedCore} runs: time from the simulation's clock, no thread started, groups queued for a queued
 * handler handed to the simulation's scheduler.
 *
 * <p>{@link #scanWithoutClaim()} is the broken watchdog scan: it answers an inline call past its deadline on the
 * handler's behalf without claiming the call's group first, as a watchdog without the claim would, so the handler's
 * own later answer is sent too. It needs the core's inline slots, which no exported entry point offers (nor
 * should), so it lives here, beside the core's own tests.
 */
public final class BrokenWatchdogCore implements AutoCloseable {
    private final Core pipeline;
    /** The call serial each slot was last answered for by the broken scan (that scan answers each call once). */
    private final Map<InlineGroup, Long> answeredWithoutClaim = new IdentityHashMap<>();

    /**
     * A core reading {@code clock} (nanoseconds) with the given deadline of held groups, queue depth and blocking
     * threshold, and parked partial page requests bounded at 64 per device and 1,024 in all; its host log lines go
     * to {@code log}; {@code queued} is told of each group queued for a queued handler, with the queue (an opaque
     * key) and the action that serves the queue's oldest group.
     */
    public BrokenWatchdogCore(LongSupplier clock, long timeoutMillis, int queueDepth, long inlineBlockMillis,
            Consumer<String> log, BiConsumer<Object, BooleanSupplier> queued) {
        Settings settings = Settings.DEFAULTS.withPartials(64, 1024).withDefaultTimeoutMillis(timeoutMillis)
                .withQueueDepth(queueDepth).withInlineBlockMillis(inlineBlockMillis);
        pipeline = Core.stepped(settings, clock::getAsLong, LogSink.lines(log), q -> queued.accept(q, q::serveOne));
    }

    /** The service backends connect to. */
    public FaultPipeline pipeline() {
        return pipeline;
    }

    /** The counters, pending groups and handlers. */
    public FaultStatistics statistics() {
        return pipeline;
    }

    /** Registers a handler as a standalone core does. */
    public long register(FaultHandler handler, Map<String, ?> properties) {
        return pipeline.addHandler(handler, properties, HandlerPolicy.STANDALONE_BUNDLE);
    }

    /** Unregisters a handler in the core's lifecycle order. */
    public void unregister(long id) {
        pipeline.removeHandler(id);
    }

    /** What the watchdog thread does at each wake-up: answers held groups past their deadline, ends departures. */
    public void expireDeadlines() {
        pipeline.expireDeadlines();
    }
    /**
     * The broken scan: answers each inline call past its deadline once, sending the answer straight away instead of
     * claiming the group first; the rest of the watchdog's periodic work as usual.
     */
    public void scanWithoutClaim() {
        long now = pipeline.ticker().nanoTime();
        Settings settings = pipeline.settings();
        pipeline.slots().forEach(s -> {
            Handler h = s.handler();
            long start = s.callStartNanos();
            long serial = s.openSerial();
            if (start == -1 || h == null || !s.openRecoverable() || h.registration().noDeadline()
                    || now - start < h.timeoutNanos(settings)) {
                return;
            }
            Long done = answeredWithoutClaim.put(s, serial);
            if (done == null || done != serial) {
                s.complete(settings.timeoutResponse(), Counter.TIMED_OUT);
            }
        });
        pipeline.releaseQuarantines();
        pipeline.expireDeadlines();
    }

    /** Disconnects every IOMMU (answering their pending groups) and departs every handler. */
    @Override
    public void close() {
        pipeline.close();
    }
}
