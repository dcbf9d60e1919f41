package dev.faultline.core.internal.hold;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.PendingGroup;
import dev.faultline.core.internal.answer.AnswerableGroup;
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.GroupHolder;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.answer.TokenDirectory;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.dispatch.Quarantine;
import dev.faultline.core.internal.log.HostLog;
import dev.faultline.core.internal.report.DeviceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The response ledger: every group the core still owes an answer for beyond its report, and the core's own answers
 * to them. Linux's {@code fault_param->faults}, over all devices, with deadlines:
 *
 * <ul>
 *   <li>the held groups (deferred, queued, waiting for a replacement handler), each in a preallocated slot of its
 *       reporting thread ({@link HeldSlots}; beyond {@value HeldSlots#CAPACITY} slots a counted one-off copy), each
 *       answered once: by its handler, or by the core at its deadline, at a change of owner, or when its departed
 *       handler's clean-up ends;</li>
 *   <li>the timeout policy, in one place: a held group's deadline ({@link #deadline}), the answer at a deadline
 *       ({@code timeout.response}, counted {@code timedOut}, a failure toward quarantine) for held groups
 *       ({@link #expireDue}) and for inline calls running past theirs ({@link #answerCallPastDeadline});</li>
 *   <li>the deadlines: one FIFO per reporting thread and timeout value (deadlines of one timeout only grow), whose
 *       heads the watchdog thread ({@link DeadlineWatchdog}) waits for; no global lock, no priority queue.</li>
 * </ul>
 *
 * <p>Who wins a group's one answer is decided in the group itself ({@link InlineGroup} for the reporting thread's
 * slot, {@link HeldGroup} for a held one); the ledger is where the core finds the groups it must answer: it walks the
 * slots (there is no map of pending groups on the answer path). Thread-safe; the inline path never touches it.
 */
public final class ResponseLedger {
    private final Supplier<Settings> settings;
    private final Ticker ticker;
    private final Quarantine quarantine;
    private final HostLog log;
    /** Every reporting thread's slots that may hold a group, in the order the threads first held one. */
    private final List<HeldSlots> pools = new CopyOnWriteArrayList<>();
    private final ThreadLocal<HeldSlots> mine = new ThreadLocal<>();
    /** Held groups beyond their thread's slots (only while a pool is exhausted). */
    private final Set<HeldGroup> oneOffs = ConcurrentHashMap.newKeySet();
    /** Every slot a deferred group's token can name: the pooled ones, and the one-off copies while they hold a group. */
    private final TokenDirectory tokens = new TokenDirectory();
    private final HeldGroup.Releaser forgetOneOff = g -> {
        oneOffs.remove(g);
        tokens.leave(g);
    };
    private final HeldGroup.Releaser forgetCopy = tokens::leave;
    private final AtomicLong oneOffCopies = new AtomicLong();
    /** The watchdog thread while it waits, and until when it sleeps ({@link Long#MAX_VALUE}: looking). */
    private volatile Thread sleeper;
    private volatile long wakeAt = Long.MAX_VALUE;

    public ResponseLedger(Supplier<Settings> settings, Ticker ticker, Quarantine quarantine, HostLog log) {
        this.settings = settings;
        this.ticker = ticker;
        this.quarantine = quarantine;
        this.log = log;
    }

    /** Where the held slots are listed for deferred groups' tokens. */
    public TokenDirectory tokens() {
        return tokens;
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

    /** Answers group {@code lineage} of {@code g}, past its deadline, on its handler's behalf; whether it did. */
    private boolean expire(HeldGroup g, long lineage) {
        long generation = g.pendingGeneration();
        if (generation < 0 || g.lineage() != lineage) {
            return false;
        }
        Handler h = g.handler();
        if (!g.answerBy(generation, settings.get().timeoutResponse(), Counter.TIMED_OUT)) {
            return false;
        }
        if (h != null) {
            quarantine.failed(h, Handler.Failure.TIMEOUT);
        }
        return true;
    }

    // ---- holding ----

    /**
     * A held slot of the calling (reporting) thread filled with a copy of {@code group}, reserved; beyond the thread's
     * {@value HeldSlots#CAPACITY} slots a one-off copy (counted, logged). An unrecoverable fault's copy is never
     * pending (nothing waits on its answer): a plain copy.
     */
    public HeldGroup reserve(AnswerableGroup group, boolean queued, GroupHolder holder) {
        long deadline = deadline(group.handler(), group.reportedAt());
        HeldGroup slot;
        if (!group.buffer().recoverable()) {
            slot = new HeldGroup(group.buffer().size(), -1, forgetCopy, holder);
            tokens.list(slot);
        } else {
            slot = slotsOfThisThread(holder).take();
            if (slot == null) {
                oneOffCopies.incrementAndGet();
                log.heldSlotsFull(group.handler(), Thread.currentThread().getName(), HeldSlots.CAPACITY);
                slot = new HeldGroup(group.buffer().size(), -1, forgetOneOff, holder);
                tokens.list(slot);
            }
        }
        slot.reserve(group, deadline, queued);
        return slot;
    }

    private HeldSlots slotsOfThisThread(GroupHolder holder) {
        HeldSlots s = mine.get();
        if (s == null) {
            s = new HeldSlots(Thread.currentThread(), holder, tokens);
            mine.set(s);
            pools.add(s);
        }
        return s;
    }

    /** Frees a reserved slot that is not needed after all. */
    public void unreserve(HeldGroup slot) {
        slot.unreserve();
    }

    /**
     * Makes the reserved {@code slot} pending (on the thread that reserved it): watched for its deadline, and answered
     * at once if its owner or handler is already gone. Returns its generation.
     */
    public long hold(HeldGroup slot) {
        boolean recoverable = slot.buffer().recoverable();
        if (!recoverable) {
            return slot.publish();
        }
        DeviceState d = slot.deviceState();
        Handler h = slot.handler();
        long lineage = slot.lineage();
        long deadline = slot.deadlineNanos();
        // the reserving thread's pool: a pooled slot's own (its releaser), without a thread-local lookup
        HeldSlots pool = slot.releaser() instanceof HeldSlots p ? p : mine.get();
        DeadlineFifo fifo = pool.fifoFor(deadline - slot.reportedAt());
        if (slot.oneOff()) {
            oneOffs.add(slot);
        }
        long generation = slot.publish();
        fifo.add(slot, lineage, deadline);
        if (deadline < wakeAt) {
            Thread w = sleeper;
            if (w != null) {
                LockSupport.unpark(w);
            }
        }
        // after publishing: a departure or change of owner that did not see it among the held groups is seen here
        if (d.removed()) {
            slot.answerForBarrier(d, GroupFilter.ALL, Counter.ANSWERED_AT_REMOVAL);
        } else if (slot.ownerGone()) {
            slot.answerForBarrier(d, GroupFilter.ALL, Counter.ANSWERED_AT_DETACH);
        } else if (h.state() == Handler.State.GONE && ticker.nanoTime() - h.cleanupEndsAt() >= 0) {
            // a group its departed handler deferred after its clean-up window ended is the core's to answer
            slot.answerBy(generation, ResponseCode.INVALID, Counter.ANSWERED_AT_DEPARTURE);
        }
        return generation;
    }

    /** Held groups that were one-off copies because their thread's slots were all in use. */
    public long oneOffCopies() {
        return oneOffCopies.get();
    }

    // ---- the core's answers ----

    /** Visits every held group that may be pending (a pooled slot, or a one-off copy). */
    private void forEachHeld(Consumer<HeldGroup> action) {
        for (HeldSlots p : pools) {
            p.forEach(action);
        }
        for (HeldGroup g : oneOffs) {
            action.accept(g);
        }
    }

    /**
     * The barrier of a change of owner of device {@code d}: answers INVALID, counting {@code reason}, every
     * unanswered held group of {@code d} that {@code which} selects; answers being sent are waited for. Returns how
     * many this call answered. (The group in a handler call right now is the slot's: {@link InlineGroup#answerForBarrier}.)
     */
    public int answerForChangeOfOwner(DeviceState d, GroupFilter which, Counter reason) {
        int[] n = {0};
        forEachHeld(g -> {
            if (g.answerForBarrier(d, which, reason)) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** A departed handler's clean-up window ended: answers INVALID what it still holds. */
    public int answerLeftBy(Handler handler) {
        int[] n = {0};
        forEachHeld(g -> {
            long generation = g.pendingGeneration();
            if (generation >= 0 && g.handler() == handler
                    && g.answerBy(generation, ResponseCode.INVALID, Counter.ANSWERED_AT_DEPARTURE)) {
                n[0]++;
            }
        });
        return n[0];
    }

    // ---- deadlines ----

    /** Answers every unanswered held group whose deadline is at or before {@code now}; returns how many. */
    public int expireDue(long now) {
        int n = 0;
        long[] lineage = new long[1];
        for (HeldSlots p : pools) {
            for (DeadlineFifo f : p.fifos()) {
                HeldGroup g;
                while ((g = f.pollDue(now, lineage)) != null) {
                    if (expire(g, lineage[0])) {
                        n++;
                    }
                }
            }
        }
        forgetAbandonedPools();
        return n;
    }

    /** Forgets the slots of reporting threads that ended, once they hold nothing. */
    private void forgetAbandonedPools() {
        for (HeldSlots p : pools) {
            if (p.abandoned()) {
                pools.remove(p);
                p.forEach(tokens::leave);
            }
        }
    }

    /** The earliest deadline of a held group, or {@link Long#MAX_VALUE}. */
    private long earliestDeadline() {
        long earliest = Long.MAX_VALUE;
        for (HeldSlots p : pools) {
            for (DeadlineFifo f : p.fifos()) {
                earliest = Math.min(earliest, f.earliest());
            }
        }
        return earliest;
    }

    /**
     * Waits until the earliest deadline, at most {@code atMostNanos}; returns early when a group with an earlier
     * deadline is held (the watchdog thread).
     */
    void awaitNextDeadline(long atMostNanos) throws InterruptedException {
        sleeper = Thread.currentThread();
        wakeAt = Long.MAX_VALUE; // from here on, any new deadline wakes this thread (or finds the earliest below)
        long earliest = earliestDeadline();
        long now = ticker.nanoTime();
        long wait = earliest == Long.MAX_VALUE ? atMostNanos : Math.min(atMostNanos, earliest - now);
        if (wait > 0) {
            wakeAt = now + wait;
            LockSupport.parkNanos(this, wait);
        }
        wakeAt = Long.MAX_VALUE;
        if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    /** Deadline entries now, stale ones included (tests). */
    int watched() {
        int n = 0;
        for (HeldSlots p : pools) {
            for (DeadlineFifo f : p.fifos()) {
                n += f.entries();
            }
        }
        return n;
    }

    // ---- statistics ----

    /** How many held groups are unanswered and match. */
    public long count(Predicate<HeldGroup> which) {
        long[] n = {0};
        forEachHeld(g -> {
            if (g.pendingGeneration() >= 0 && which.test(g)) {
                n[0]++;
            }
        });
        return n[0];
    }

    /** The unanswered held groups now, as {@code faultline:pending} lists them (unsorted). */
    public List<PendingGroup> pending(long now) {
        List<PendingGroup> out = new ArrayList<>();
        forEachHeld(g -> {
            long generation = g.pendingGeneration();
            if (generation < 0 || !g.pin(generation, true)) {
                return;
            }
            try {
                Handler h = g.handler();
                out.add(new PendingGroup(g.deviceState().id().toString(), g.buffer().groupId(),
                        g.buffer().lastPasid(), h == null ? "" : h.registration().name(), g.queued(),
                        now - g.reportedAt(), g.deadlineNanos() - now));
            } finally {
                g.unpin();
            }
        });
        return out;
    }
}
