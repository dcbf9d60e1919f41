package dev.faultline.core.internal;

import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import java.util.function.Supplier;

/**
 * Hands formed groups to their handler and makes sure each gets exactly one answer whatever the handler does:
 * <ul>
 *   <li>no handler: INVALID (logged, rate-limited, never for a guest-owned fault);</li>
 *   <li>inline handler: called on the reporting thread with the reused slot;</li>
 *   <li>queued handler: a copy goes into its bounded queue; a full queue answers the configured code;</li>
 *   <li>the handler throws: FAILURE unless answered; repeated throws or blocking calls quarantine it;</li>
 *   <li>it returns without answering or deferring: INVALID, counted abandoned;</li>
 *   <li>it deferred: the copy is pending until answered, its deadline, or a departure.</li>
 * </ul>
 */
final class GroupDispatcher implements GroupHolder {
    private final Supplier<Settings> settings;
    private final PendingGroups pending;
    private final HostLog log;
    private final HandlerIndex index;
    private DeadlineWatchdog watchdog;

    GroupDispatcher(Supplier<Settings> settings, PendingGroups pending, HostLog log, HandlerIndex index) {
        this.settings = settings;
        this.pending = pending;
        this.log = log;
        this.index = index;
    }

    void useWatchdog(DeadlineWatchdog deadlines) {
        watchdog = deadlines;
    }

    /** Dispatches the filled slot {@code g} of {@code d} to {@code h} (null: nobody) and empties the slot. */
    ReportOutcome dispatch(DeviceState d, InlineGroup g, HandlerProxy h, long now) {
        boolean recoverable = g.recoverable();
        try {
            if (h == null) {
                g.open(d, null, now);
                d.count(Counter.NO_HANDLER, null);
                log.unhandled(d, g);
                if (recoverable) {
                    g.answerBy(ResponseCode.INVALID, null);
                }
                return ReportOutcome.NO_HANDLER;
            }
            d.count(recoverable ? Counter.DISPATCHED : Counter.DELIVERED, h);
            if (h.queued()) {
                g.prepare(d, h, now);
                enqueue(h, g);
            } else {
                g.open(d, h, now);
                call(h, g);
            }
            return recoverable ? ReportOutcome.DISPATCHED : ReportOutcome.DELIVERED;
        } finally {
            g.release();
        }
    }

    /** Calls the handler and enforces the answer rules afterwards. */
    void call(HandlerProxy h, AnswerableGroup g) {
        try {
            h.handler.handle(g);
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

    /** The queued handler's thread takes {@code g} from the queue. */
    void runQueued(HandlerProxy h, HeldGroup g) {
        if (g.recoverable() && g.answered()) {
            return;
        }
        call(h, g);
    }

    /** The watchdog found {@code g} past its deadline. */
    void expire(HeldGroup g) {
        g.answerBy(settings.get().timeoutResponse(), Counter.TIMED_OUT);
    }

    /** Finds inline calls running past the blocking threshold (watchdog thread). */
    void scanSlow(InlineSlots slots, long now) {
        long threshold = settings.get().inlineBlockNanos();
        slots.forEach(s -> {
            long start = s.callStartNanos();
            HandlerProxy h = s.handler;
            DeviceState d = s.device;
            if (start != -1 && now - start >= threshold && h != null && d != null && s.flagCall()) {
                d.count(Counter.SLOW_CALLS, h);
                log.slowCall(h, now - start);
                failureStreak(h);
            }
        });
    }

    @Override
    public HeldGroup copyOf(AnswerableGroup group, boolean queued) {
        long deadline = group.reportedNanos + group.handler.timeoutNanos(settings.get());
        return new HeldGroup(group.faults.copy(), group, deadline, queued, this);
    }

    @Override
    public void hold(HeldGroup held) {
        if (!held.recoverable()) {
            return;
        }
        pending.add(held);
        watchdog.watch(held);
        HandlerProxy h = held.handlerProxy();
        if (h.state() == HandlerProxy.State.GONE || held.deviceState().removed()) {
            held.answerBy(ResponseCode.INVALID, null);
        }
    }

    @Override
    public void released(HeldGroup held) {
        pending.remove(held);
    }

    private void enqueue(HandlerProxy h, InlineGroup g) {
        HeldGroup held = copyOf(g, true);
        hold(held);
        if (!h.queue().offer(held)) {
            held.device.count(Counter.QUEUE_FULL, h);
            held.answerBy(settings.get().queueFullResponse(), null);
        }
    }

    private void handlerThrew(HandlerProxy h, AnswerableGroup g, Throwable t) {
        g.device.count(Counter.HANDLER_ERRORS, h);
        g.answerBy(ResponseCode.FAILURE, null);
        log.handlerFailed(h, g, t, g.device.guestOwned(g.pasid()));
        failureStreak(h);
    }

    private void failureStreak(HandlerProxy h) {
        int n = h.failed();
        int limit = settings.get().quarantineAfter();
        if (limit > 0 && n >= limit && h.quarantine(n + " consecutive failed or blocking calls")) {
            index.refresh();
            log.quarantined(h, n);
        }
    }
}
