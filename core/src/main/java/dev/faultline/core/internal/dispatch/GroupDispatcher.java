package dev.faultline.core.internal.dispatch;

import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.core.internal.answer.AnswerableGroup;
import dev.faultline.core.internal.answer.GroupHolder;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.answer.InlineSlots;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.hold.ResponseLedger;
import dev.faultline.core.internal.hold.Handover;
import dev.faultline.core.internal.log.HostLog;
import dev.faultline.core.internal.report.DeviceState;
import dev.faultline.core.internal.route.HandlerIndex;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Hands formed groups to their handler and makes sure each gets exactly one answer whatever the handler does:
 * <ul>
 *   <li>no handler: INVALID (logged, rate-limited, never for a guest-owned fault);</li>
 *   <li>inline handler: called on the reporting thread with the reused slot;</li>
 *   <li>queued handler: the group is held (a slot of the reporting thread) and queued in the handler's ring; a full
 *       queue answers the configured code;</li>
 *   <li>the handler throws: FAILURE unless answered; repeated throws or blocking calls quarantine it;</li>
 *   <li>it returns without answering or deferring: INVALID, counted abandoned;</li>
 *   <li>it deferred: the group is held ({@link ResponseLedger}) until answered, its deadline, or a departure.</li>
 * </ul>
 */
public final class GroupDispatcher implements GroupHolder {
    private final Supplier<Settings> settings;
    private final ResponseLedger ledger;
    private final Quarantine quarantine;
    private final HostLog log;
    private final HandlerIndex index;
    private final Supplier<HandlerPolicy> policy;
    /** Groups waiting for replacement handlers, over all targets (bounded by {@code handover.capacity}). */
    private final AtomicInteger waitingForReplacements = new AtomicInteger();

    public GroupDispatcher(Supplier<Settings> settings, Supplier<HandlerPolicy> policy, ResponseLedger ledger,
            Quarantine quarantine, HostLog log, HandlerIndex index) {
        this.settings = settings;
        this.policy = policy;
        this.ledger = ledger;
        this.quarantine = quarantine;
        this.log = log;
        this.index = index;
    }

    /** Dispatches the filled slot {@code g} of {@code d} to {@code h} (null: nobody) and empties the slot. */
    public ReportOutcome dispatch(DeviceState d, InlineGroup g, Handler h, long now) {
        try {
            return dispatchTo(d, g, h, now, true);
        } finally {
            g.release();
        }
    }

    private ReportOutcome dispatchTo(DeviceState d, InlineGroup g, Handler h, long now, boolean mayRouteAgain) {
        boolean recoverable = g.recoverable();
        {
            if (h != null && h.handover != null) {
                // only a group the device waits on waits for the replacement; an unrecoverable fault is reported now
                if (recoverable) {
                    return park(d, g, h, now);
                }
                h = null;
            }
            if (h != null && (h.state() == Handler.State.GONE || !h.queued() && !g.enterCall(h))) {
                // it departed after the route was read: route again (to its stand-in or its replacement), once
                Handler next = mayRouteAgain ? d.route(g.buffer().lastPasid(), g.attachment()) : null;
                return dispatchTo(d, g, next == h ? null : next, now, false);
            }
            if (h == null) {
                g.open(d, null, now);
                d.count(Counter.NO_HANDLER, null);
                log.unhandled(d, g);
                if (recoverable) {
                    g.answerBy(ResponseCode.INVALID, null);
                }
                return ReportOutcome.NO_HANDLER;
            }
            d.countDispatched(g, h);
            if (h.queued()) {
                g.prepare(d, h, now);
                enqueue(h, g);
            } else {
                try {
                    g.open(d, h, now);
                    call(h, g);
                } finally {
                    g.exitCall(h);
                }
            }
            return recoverable ? ReportOutcome.DISPATCHED : ReportOutcome.DELIVERED;
        }
    }

    /**
     * Keeps a group routed to a departed handler's stand-in for its replacement (make-before-break): held, pending and
     * watched for its deadline, counted as dispatched (to the hand-over). Beyond {@code handover.capacity} waiting
     * groups it is answered INVALID as unhandled.
     */
    private ReportOutcome park(DeviceState d, InlineGroup g, Handler stand, long now) {
        boolean recoverable = g.recoverable();
        int capacity = policy.get().handoverCapacity();
        if (waitingForReplacements.incrementAndGet() > capacity) {
            waitingForReplacements.decrementAndGet();
            log.handoverFull(d, stand, capacity);
            return dispatchTo(d, g, null, now, false);
        }
        d.count(recoverable ? Counter.DISPATCHED : Counter.DELIVERED, null);
        g.prepare(d, stand, now);
        HeldGroup held = reserve(g, true);
        long generation = hold(held);
        if (!stand.handover.park(held, generation)) {
            waitingForReplacements.decrementAndGet();
            routeAgain(held, generation, null);
        }
        return recoverable ? ReportOutcome.DISPATCHED : ReportOutcome.DELIVERED;
    }

    /**
     * A hand-over ended: each group that waited (and is still unanswered) goes to the target's handler now (the
     * replacement), or, when none came within the window, is answered INVALID and counted as timed out.
     */
    public void handoverEnded(Handover handover) {
        int late = 0;
        for (Handover.Waiting w : handover.close()) {
            waitingForReplacements.decrementAndGet();
            HeldGroup g = w.group();
            if (!g.pending(w.generation())) {
                continue;
            }
            Handler to = routeAgain(g, w.generation(), Counter.TIMED_OUT);
            if (to != null) {
                to.handedOver(1);
            } else if (!g.pending(w.generation())) {
                late++;
            }
        }
        if (late > 0 && !handover.guest()) {
            log.handoverExpired(handover, late);
        }
    }

    /** A group left unseen in a departed queued handler's queue goes to the handler serving its target now. */
    public void routeLeftInQueue(HandlerQueue.Left left) {
        HeldGroup g = left.group();
        if (g.pending(left.generation()) && g.queued()) {
            routeAgain(g, left.generation(), null);
        }
    }

    /**
     * Routes generation {@code generation} of a held group again, already counted as dispatched on its device (it
     * waited for a replacement, or its departing handler left it unseen in its queue or handed it back): to the
     * handler now serving its device and PASID, counted as dispatched to it; else answered INVALID, counting
     * {@code noneReason} if given. Returns the handler it went to, or null (also when it was answered meanwhile).
     */
    public Handler routeAgain(HeldGroup g, long generation, Counter noneReason) {
        if (!g.pin(generation, true)) {
            return null;
        }
        try {
            return routePinned(g, generation, noneReason);
        } finally {
            g.unpin();
        }
    }

    private Handler routePinned(HeldGroup g, long generation, Counter noneReason) {
        DeviceState d = g.deviceState();
        boolean recoverable = g.buffer().recoverable();
        Handler h = d.removed() ? null : d.route(g.buffer().lastPasid(), g.attachment());
        if (h != null && h.handover != null) {
            g.routedTo(h);
            if (waitingForReplacements.incrementAndGet() <= policy.get().handoverCapacity()
                    && h.handover.park(g, generation)) {
                return null;
            }
            waitingForReplacements.decrementAndGet();
            h = null;
        }
        if (h == null || h.state() == Handler.State.GONE) {
            g.routedTo(null);
            g.answerBy(generation, ResponseCode.INVALID, recoverable ? noneReason : null);
            return null;
        }
        g.routedTo(h);
        h.counters.increment(recoverable ? Counter.DISPATCHED : Counter.DELIVERED);
        if (h.queued()) {
            if (!h.queue().offer(g, generation)) {
                d.count(Counter.QUEUE_FULL, h);
                g.answerBy(generation, settings.get().queueFullResponse(), null);
            }
        } else if (h.enter()) {
            try {
                callHeld(h, g, generation);
            } finally {
                h.exit();
            }
        } else {
            g.answerBy(generation, ResponseCode.INVALID, null);
        }
        return h;
    }

    /** Calls the handler and enforces the answer rules afterwards. */
    void call(Handler h, AnswerableGroup g) {
        try {
            h.service.handle(g);
            if (!g.flaggedSlow()) {
                h.succeeded();
            }
        } catch (Throwable t) {
            handlerThrew(h, g, t);
        }
        if (g.recoverable() && !g.deferred()) {
            g.answerBy(ResponseCode.INVALID, Counter.ABANDONED);
        }
    }

    /**
     * Calls the handler with generation {@code generation} of a held group, pinned for the call (so its slot is not
     * reused while the handler reads it) and readable on this thread; an unrecoverable fault's copy is done with
     * when the call returns.
     */
    private void callHeld(Handler h, HeldGroup g, long generation) {
        if (!g.beginCall(generation)) {
            return;
        }
        try {
            call(h, g);
            if (!g.recoverable() && !g.deferred()) {
                g.answerBy(generation, ResponseCode.SUCCESS, null);
            }
        } finally {
            g.endCall();
        }
    }

    /** The queued handler's thread takes generation {@code generation} of {@code g} from the queue. */
    public void runQueued(Handler h, HeldGroup g, long generation) {
        if (!g.pending(generation)) {
            return;
        }
        if (!h.enter()) {
            // taken from the queue as its handler departed: it never saw it, so its replacement gets it
            routeAgain(g, generation, null);
            return;
        }
        try {
            callHeld(h, g, generation);
        } finally {
            h.exit();
        }
    }

    /** Finds inline calls running past the blocking threshold (watchdog thread). */
    public void scanSlow(InlineSlots slots, long now) {
        Settings current = settings.get();
        long threshold = current.inlineBlockNanos();
        slots.forEach(s -> {
            long serial = s.openSerial();
            long start = s.callStartNanos();
            Handler h = s.handler();
            DeviceState d = s.deviceState();
            if (start == -1 || h == null || d == null) {
                return;
            }
            if (now - start >= threshold && s.flagCall()) {
                d.count(Counter.SLOW_CALLS, h);
                log.slowCall(h, now - start);
                quarantine.failed(h, Handler.Failure.BLOCK);
                // the reporting thread is the IOMMU's: its backend may go on with the queues on a fresh one
                reportingThreadBlocked(d);
            }
            // past its deadline the device gets its answer now; the call itself is left to the handler
            if (ledger.answerCallPastDeadline(s, h, serial, start, now)) {
                log.inlineDeadline(h, d, now - start);
            }
        });
    }

    private void reportingThreadBlocked(DeviceState d) {
        try {
            d.iommu().backend().reportingThreadBlocked();
        } catch (RuntimeException e) {
            log.backendFailed(d, "reportingThreadBlocked", e);
        }
    }

    @Override
    public HeldGroup reserve(AnswerableGroup group, boolean queued) {
        return ledger.reserve(group, queued, this);
    }

    @Override
    public void unreserve(HeldGroup held) {
        ledger.unreserve(held);
    }

    @Override
    public long hold(HeldGroup held) {
        return ledger.hold(held);
    }

    @Override
    public void handBack(HeldGroup held, long generation) {
        routeAgain(held, generation, null);
    }

    @Override
    public DeferredTokens tokens(Handler handler) {
        return handler.tokens(ledger.tokens());
    }

    private void enqueue(Handler h, InlineGroup g) {
        HeldGroup held = reserve(g, true);
        long generation = hold(held);
        if (!h.queue().offer(held, generation)) {
            g.deviceState().count(Counter.QUEUE_FULL, h);
            held.answerBy(generation, settings.get().queueFullResponse(), null);
        }
    }

    private void handlerThrew(Handler h, AnswerableGroup g, Throwable t) {
        DeviceState d = g.deviceState();
        d.count(Counter.HANDLER_ERRORS, h);
        g.answerBy(ResponseCode.FAILURE, null);
        log.handlerFailed(h, g, t, d.guestOwned(g.pasid()));
        quarantine.failed(h, Handler.Failure.THROW);
    }
}
