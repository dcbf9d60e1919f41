package dev.faultline.core.internal.hold;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.core.internal.answer.AnswerableGroup;
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.GroupHolder;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.dispatch.Quarantine;
import dev.faultline.core.internal.report.DeviceState;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The response ledger: every group the core still owes an answer for beyond its report, and the core's own answers
 * to them. Linux's {@code fault_param->faults}, over all devices, with deadlines:
 *
 * <ul>
 *   <li>the held groups (deferred, queued, waiting for a replacement handler), each answered once: by its handler,
 *       or by the core at its deadline, at a change of owner, or when its departed handler's clean-up ends;</li>
 *   <li>the timeout policy, in one place: a held group's deadline ({@link #deadline}), the answer at a deadline
 *       ({@code timeout.response}, counted {@code timedOut}, a failure toward quarantine) for held groups
 *       ({@link #expireDue}) and for inline calls running past theirs ({@link #answerCallPastDeadline});</li>
 *   <li>the deadline queue, which the watchdog thread ({@link DeadlineWatchdog}) waits on.</li>
 * </ul>
 *
 * <p>Who wins a group's one answer is decided in the group itself (one compare-and-set: {@link InlineGroup} for
 * the reporting thread's slot, {@link HeldGroup} for a copy); the ledger is where the core finds the groups it must
 * answer. Thread-safe; the inline path never touches it.
 */
public final class ResponseLedger {
    private static final int PURGE_THRESHOLD = 1024;

    private final Supplier<Settings> settings;
    private final Ticker ticker;
    private final Quarantine quarantine;
    private final Set<HeldGroup> held = ConcurrentHashMap.newKeySet();
    /** Numbers the held groups in the order they are made (their hash codes; see {@link HeldGroup#hashCode()}). */
    private final AtomicLong serials = new AtomicLong();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition earlier = lock.newCondition();
    private final PriorityQueue<HeldGroup> byDeadline =
            new PriorityQueue<>(Comparator.comparingLong(HeldGroup::deadlineNanos));

    public ResponseLedger(Supplier<Settings> settings, Ticker ticker, Quarantine quarantine) {
        this.settings = settings;
        this.ticker = ticker;
        this.quarantine = quarantine;
    }

    // ---- the timeout policy ----

    /** The deadline of a group of {@code handler} reported at {@code reportedNanos}. */
    public long deadline(Handler handler, long reportedNanos) {
        return reportedNanos + handler.timeoutNanos(settings.get());
    }

    /** How long a departure waits for a call of {@code handler} still running elsewhere: its deadline. */
    public long callWaitNanos(Handler handler) {
        Settings s = settings.get();
        return handler.registration().noDeadline() ? s.defaultTimeoutNanos() : handler.timeoutNanos(s);
    }

    /**
     * Answers the group of inline call {@code serial} of slot {@code s}, started at {@code start}, on its handler's
     * behalf if the call is past its deadline at {@code now} and still unanswered; returns whether it did.
     */
    public boolean answerCallPastDeadline(InlineGroup s, Handler h, long serial, long start, long now) {
        Settings current = settings.get();
        if (h.registration().noDeadline() || now - start < h.timeoutNanos(current)
                || !s.answerOnBehalf(serial, current.timeoutResponse(), Counter.TIMED_OUT)) {
            return false;
        }
        quarantine.failed(h, Handler.Failure.TIMEOUT);
        return true;
    }

    /** Answers {@code g}, past its deadline, on its handler's behalf. */
    private void expire(HeldGroup g) {
        if (g.answerBy(settings.get().timeoutResponse(), Counter.TIMED_OUT)) {
            quarantine.failed(g.handler, Handler.Failure.TIMEOUT);
        }
    }

    // ---- holding ----

    /**
     * An unanswered copy of {@code group}, with its deadline; {@code queued} for a queued handler's queue; its answers
     * go through {@code holder}.
     */
    public HeldGroup copyOf(AnswerableGroup group, boolean queued, GroupHolder holder) {
        return new HeldGroup(group.faults.copy(), group, deadline(group.handler, group.reportedNanos), queued, holder,
                serials.incrementAndGet());
    }

    /** A copy of {@code original}, which its handler handed back unanswered, with the same faults and deadline. */
    public HeldGroup handedBack(HeldGroup original, GroupHolder holder) {
        return new HeldGroup(original.faults, original, original.deadlineNanos(), true, holder,
                serials.incrementAndGet());
    }

    /**
     * Makes a recoverable {@code group} pending: listed, watched for its deadline, and answered at once if its owner
     * or handler is already gone.
     */
    public void hold(HeldGroup group) {
        if (!group.recoverable()) {
            return;
        }
        held.add(group);
        watch(group);
        // after the add: a departure or change of owner that did not see it among the held groups is seen here
        Handler h = group.handler();
        if (group.deviceState().removed()) {
            group.answerForBarrier(Counter.ANSWERED_AT_REMOVAL);
        } else if (group.ownerGone()) {
            group.answerForBarrier(Counter.ANSWERED_AT_DETACH);
        } else if (h.state() == Handler.State.GONE && ticker.nanoTime() - h.cleanupEndsAt() >= 0) {
            // a group its departed handler deferred after its clean-up window ended is the core's to answer
            group.answerBy(ResponseCode.INVALID, Counter.ANSWERED_AT_DEPARTURE);
        }
    }

    /** Forgets an answered (or handed back) {@code group}. */
    public void released(HeldGroup group) {
        held.remove(group);
    }

    // ---- the core's answers ----

    /**
     * The barrier of a change of owner of device {@code d}: answers INVALID, counting {@code reason}, every
     * unanswered held group of {@code d} that {@code which} selects; answers being sent are waited for. Returns how
     * many this call answered. (The group in a handler call right now is the slot's: {@link InlineGroup#answerForBarrier}.)
     */
    public int answerForChangeOfOwner(DeviceState d, GroupFilter which, Counter reason) {
        int n = 0;
        for (HeldGroup g : held) {
            if (g.deviceState() == d && which.test(g.faults.lastPasid(), g.attachment)
                    && g.answerForBarrier(reason)) {
                n++;
            }
        }
        return n;
    }

    /** A departed handler's clean-up window ended: answers INVALID what it still holds. */
    public int answerLeftBy(Handler handler) {
        int n = 0;
        for (HeldGroup g : held) {
            if (g.handler() == handler && g.answerBy(ResponseCode.INVALID, Counter.ANSWERED_AT_DEPARTURE)) {
                n++;
            }
        }
        return n;
    }

    // ---- deadlines ----

    private void watch(HeldGroup group) {
        lock.lock();
        try {
            if (byDeadline.size() >= PURGE_THRESHOLD) {
                byDeadline.removeIf(HeldGroup::answered);
            }
            byDeadline.add(group);
            if (byDeadline.peek() == group) {
                earlier.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Answers every unanswered held group whose deadline is at or before {@code now}; returns how many. */
    public int expireDue(long now) {
        List<HeldGroup> due = new ArrayList<>();
        lock.lock();
        try {
            HeldGroup head;
            while ((head = byDeadline.peek()) != null && head.deadlineNanos() - now <= 0) {
                due.add(byDeadline.poll());
            }
        } finally {
            lock.unlock();
        }
        int n = 0;
        for (HeldGroup g : due) {
            if (!g.answered()) {
                expire(g);
                n++;
            }
        }
        return n;
    }

    /**
     * Waits until the earliest deadline, at most {@code atMostNanos}; returns early when a group with an earlier
     * deadline is held (the watchdog thread).
     */
    void awaitNextDeadline(long atMostNanos) throws InterruptedException {
        lock.lock();
        try {
            long wait = atMostNanos;
            HeldGroup head = byDeadline.peek();
            if (head != null) {
                wait = Math.min(wait, head.deadlineNanos() - ticker.nanoTime());
            }
            if (wait > 0) {
                earlier.await(wait, TimeUnit.NANOSECONDS);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Groups watched for their deadline (answered ones may linger until their deadline or a purge). */
    int watched() {
        lock.lock();
        try {
            return byDeadline.size();
        } finally {
            lock.unlock();
        }
    }

    // ---- statistics ----

    /** How many held groups are unanswered and match. */
    public long count(Predicate<HeldGroup> which) {
        return held.stream().filter(which).count();
    }

    /** The held groups now. */
    public List<HeldGroup> snapshot() {
        return new ArrayList<>(held);
    }
}
