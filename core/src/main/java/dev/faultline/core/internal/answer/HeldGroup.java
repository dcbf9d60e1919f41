package dev.faultline.core.internal.answer;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
import dev.faultline.core.internal.report.DeviceState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A group that outlives the reporting thread's slot: deferred by its handler, waiting in a queued handler's queue,
 * or waiting for a departed handler's replacement. It is a preallocated slot of its reporting thread's pool
 * ({@link dev.faultline.core.internal.hold.HeldSlots}), refilled for each group it holds, or, when that pool is
 * exhausted, a one-off copy. This class alone decides its one answer.
 *
 * <p>One state word: the <b>generation</b> (upper bits, advanced each time the slot holds a new group and when a
 * group is handed back), the number of <b>pins</b> (handler calls, readers) that keep the slot from being reused,
 * and the state: {@code FREE}, {@code OPEN} (pending), {@code SENDING} (the winner is handing its answer to the
 * backend), {@code DONE} (answered, still pinned). Every answer names the generation it answers; the first
 * compare-and-set from {@code OPEN} of that generation wins, every other is refused. A handler holds a
 * {@link DeferredHandle} (this slot and one generation), so an answer through a stale handle (answered twice,
 * after the deadline answered it, after a change of owner, after the slot went on to another group) fails its
 * generation check and is counted, never answering the slot's next group. A slot is freed, and may be reused, once
 * it is answered and unpinned.
 *
 * <p>As a {@link dev.faultline.api.handler.FaultGroup} handed to a handler (a queued handler's call, or a routed
 * group's), the slot may be read and answered only on the calling thread during the call, like the reporting
 * thread's slot.
 *
 * <p><b>Size.</b> One class on purpose: exactly-once for a held group is decided here alone, by one state word.
 */
public final class HeldGroup extends AnswerableGroup {
    private static final int FREE = 0;
    private static final int OPEN = 1;
    private static final int SENDING = 2;
    private static final int DONE = 3;
    private static final long STATE_MASK = 3;
    private static final long PIN = 1 << 2;
    private static final long PIN_MASK = 0x3fL << 2;
    private static final int GENERATION_SHIFT = 8;

    /** The outcome of a handler's answer: sent. */
    static final int ACCEPTED = 0;
    /** Refused, and already counted: the owner changed before this answer won. */
    static final int REFUSED = 1;
    /** Refused (to be counted by the caller): a change of owner answered the group. */
    static final int STALE = 2;
    /** Refused (to be counted by the caller): somebody answered it first. */
    static final int DUPLICATE = 3;

    private static final VarHandle WORD;
    private static final VarHandle SENDER;
    private static final VarHandle HANDLE;
    private static final VarHandle REUSABLE;

    static {
        try {
            WORD = MethodHandles.lookup().findVarHandle(HeldGroup.class, "word", long.class);
            SENDER = MethodHandles.lookup().findVarHandle(HeldGroup.class, "sender", Thread.class);
            HANDLE = MethodHandles.lookup().findVarHandle(HeldGroup.class, "handle", DeferredHandle.class);
            REUSABLE = MethodHandles.lookup().findVarHandle(HeldGroup.class, "reusable", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Generation, pins, state. */
    private volatile long word;
    /** The pool's index of this slot, or -1 for a one-off copy. */
    private final int index;
    private final Releaser releaser;
    private final GroupHolder holder;
    /** Counts the groups this slot held: a deadline entry names the group it was made for. */
    private long lineage;
    private long deadlineNanos;
    /** Waiting in a queued handler's queue (not handed to the handler yet). */
    private volatile boolean queued;
    private volatile boolean deferred;
    /** The winner of the answer, while it sends (the backend reads the slot on that thread). */
    private volatile Thread sender;
    /** The thread calling a handler with this slot (it may read and answer it during the call). */
    private volatile Thread caller;
    /** The generation a change of owner answered last. */
    private volatile long barredGeneration = -1;
    /** The handle of the current generation, once deferred. */
    private volatile DeferredHandle handle;
    /** A pooled slot freed and emptied, for its pool's owner to take again ({@link #claimReusable()}). */
    private volatile boolean reusable;
    /** Its number in the {@link TokenDirectory}, or -1 while not listed. */
    private volatile int tokenNumber = -1;

    /** Where a slot goes when it is freed: back to its pool, or out of the one-off copies. */
    @FunctionalInterface
    public interface Releaser {
        void release(HeldGroup freed);
    }

    /**
     * An empty slot {@code index} of a pool, or (index -1) a one-off copy; freed through {@code releaser}; handed
     * back to {@code holder}.
     */
    public HeldGroup(int capacity, int index, Releaser releaser, GroupHolder holder) {
        super(new FaultBuffer(capacity));
        this.index = index;
        this.releaser = releaser;
        this.holder = holder;
    }

    GroupHolder holder() {
        return holder;
    }

    private static long generationOf(long w) {
        return w >>> GENERATION_SHIFT;
    }

    private static int stateOf(long w) {
        return (int) (w & STATE_MASK);
    }

    private static int pinsOf(long w) {
        return (int) ((w & PIN_MASK) >>> 2);
    }

    private static long with(long w, int state) {
        return (w & ~STATE_MASK) | state;
    }

    /** Where the slot goes when it is freed (a pooled slot: its pool). */
    public Releaser releaser() {
        return releaser;
    }

    /** This slot's index in its pool, or -1 for a one-off copy. */
    public int index() {
        return index;
    }

    /** Whether this is a one-off copy (its pool was exhausted), not a pooled slot. */
    public boolean oneOff() {
        return index < 0;
    }

    // ---- tokens ----

    /** Listed at {@code number} of the token directory; a slot that held no group yet starts at generation {@code floor}. */
    void listedAt(int number, long floor) {
        long w = word;
        if (stateOf(w) == FREE && pinsOf(w) == 0 && generationOf(w) < floor) {
            WORD.setRelease(this, floor << GENERATION_SHIFT);
        }
        tokenNumber = number;
    }

    /** Taken off the token directory. */
    void unlisted() {
        tokenNumber = -1;
    }

    /** Its number in the token directory, or -1. */
    int tokenNumber() {
        return tokenNumber;
    }

    /** The token naming {@code generation} of this listed slot. */
    long token(long generation) {
        int number = tokenNumber;
        if (number < 0) {
            throw new IllegalStateException("held slot " + index + " is not listed for tokens");
        }
        return TokenDirectory.token(number, generation);
    }

    // ---- filling (the pool's owner thread) ----

    /**
     * Fills the free slot with a copy of {@code original}'s group, reserved: a new generation, but not yet pending
     * (nobody answers it until {@link #publish()}). Returns the new lineage.
     */
    public long reserve(AnswerableGroup original, long deadline, boolean forQueue) {
        long w = word;
        if (stateOf(w) != FREE || pinsOf(w) != 0) {
            throw new IllegalStateException("held slot " + index + " is in use");
        }
        buffer().copyFrom(original.buffer());
        fillFrom(original);
        deadlineNanos = deadline;
        // the slot is free and nobody reads these until the word below publishes them: each is written only if it
        // changes (a volatile write is a fence), the handle and sender with a release store (no fence)
        if (queued != forQueue) {
            queued = forQueue;
        }
        if (deferred == forQueue) {
            deferred = !forQueue;
        }
        if (handle != null) {
            HANDLE.setRelease(this, (DeferredHandle) null);
        }
        if (sender != null) {
            SENDER.setRelease(this, (Thread) null);
        }
        if (caller != null) {
            caller = null;
        }
        lineage++;
        WORD.setRelease(this, (generationOf(w) + 1) << GENERATION_SHIFT);
        return lineage;
    }

    /** A handle for the reserved group (a deferring handler gets it before the group is pending). */
    DeferredHandle reservedHandle() {
        DeferredHandle h = new DeferredHandle(this, generationOf(word));
        HANDLE.setRelease(this, h);
        return h;
    }

    /**
     * The handle of {@code generation}, made now if the group was deferred by token first: it keeps the faults if the
     * group is answered already (the slot is pinned meanwhile, so they are still here).
     *
     * @throws IllegalStateException if the slot went on from that generation
     */
    DeferredHandle handleFor(long generation) {
        DeferredHandle h = handle;
        if (h != null && h.generation() == generation) {
            return h;
        }
        if (!pin(generation, false)) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        try {
            h = new DeferredHandle(this, generation);
            HANDLE.setRelease(this, h);
            if (!pending(generation)) {
                h.keepFaults(buffer(), barredGeneration == generation);
            }
            return h;
        } finally {
            unpin();
        }
    }

    /** Makes the reserved group pending; returns its generation. */
    public long publish() {
        long w = word;
        WORD.setRelease(this, with(w, OPEN));
        return generationOf(w);
    }

    /** Empties a reserved slot that is not needed after all (its group was answered elsewhere first). */
    public void unreserve() {
        clearAndRelease();
    }

    // ---- reading ----

    /** The generation now. */
    public long generation() {
        return generationOf(word);
    }

    /** The lineage now (a deadline entry's group is this slot's group only while they are equal). */
    public long lineage() {
        return lineage;
    }

    /** Whether generation {@code generation} is pending (unanswered). */
    public boolean pending(long generation) {
        long w = word;
        return stateOf(w) == OPEN && generationOf(w) == generation;
    }

    /** The generation now if it is pending, else -1 (the ledger's scans). */
    public long pendingGeneration() {
        long w = word;
        return stateOf(w) == OPEN ? generationOf(w) : -1;
    }

    /** Whether the slot holds no group. */
    public boolean free() {
        return stateOf(word) == FREE;
    }

    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Whether it still waits in a queued handler's queue (not yet handed to the handler, or not deferred by it). */
    public boolean queued() {
        return queued && !deferred;
    }

    // ---- pins: a pinned slot is not reused ----

    /**
     * Pins generation {@code generation} while it is pending ({@code whilePending}) or at least not freed; returns
     * whether it did. Each successful pin is paired with {@link #unpin()}.
     */
    public boolean pin(long generation, boolean whilePending) {
        for (;;) {
            long w = word;
            int st = stateOf(w);
            if (generationOf(w) != generation || st == FREE || whilePending && st != OPEN) {
                return false;
            }
            if (pinsOf(w) == 63) {
                Thread.onSpinWait();
                continue;
            }
            if (WORD.compareAndSet(this, w, w + PIN)) {
                return true;
            }
        }
    }

    /** Ends a pin; the last pin of an answered group frees the slot. */
    public void unpin() {
        for (;;) {
            long w = word;
            long unpinned = w - PIN;
            if (pinsOf(unpinned) == 0 && stateOf(unpinned) == DONE) {
                if (WORD.compareAndSet(this, w, with(unpinned, FREE))) {
                    clearAndRelease();
                    return;
                }
            } else if (WORD.compareAndSet(this, w, unpinned)) {
                return;
            }
        }
    }

    /**
     * Starts a handler call with pending generation {@code generation} on this thread (pinned, readable here);
     * {@code false} if it is no longer pending. Returns the previous caller to {@link #endCall} with.
     */
    public boolean beginCall(long generation) {
        if (!pin(generation, true)) {
            return false;
        }
        caller = Thread.currentThread();
        return true;
    }

    /** Ends the call {@link #beginCall} started. */
    public void endCall() {
        caller = null;
        unpin();
    }

    // ---- answers ----

    /** Wins the answer of {@code generation}: OPEN to SENDING. */
    private boolean win(long generation) {
        for (;;) {
            long w = word;
            if (generationOf(w) != generation || stateOf(w) != OPEN) {
                return false;
            }
            if (WORD.compareAndSet(this, w, with(w, SENDING))) {
                // read by this thread (its own write) and compared by others with themselves: no fence needed
                SENDER.setRelease(this, Thread.currentThread());
                return true;
            }
        }
    }

    /** After the winner's answer was sent: DONE while pinned, else freed. */
    private void finish() {
        SENDER.setRelease(this, (Thread) null);
        for (;;) {
            long w = word;
            if (pinsOf(w) == 0) {
                if (WORD.compareAndSet(this, w, with(w, FREE))) {
                    clearAndRelease();
                    return;
                }
            } else if (WORD.compareAndSet(this, w, with(w, DONE))) {
                return;
            }
        }
    }

    private void clearAndRelease() {
        buffer().clear();
        forget(true);
        HANDLE.setRelease(this, (DeferredHandle) null);
        releaser.release(this);
    }

    /** Marks this emptied pooled slot free for its pool's owner to take (after everything of its group is cleared). */
    public void markReusable() {
        REUSABLE.setRelease(this, true);
    }

    /**
     * Takes this slot for a new group if it was freed (its pool's owner thread only); the emptying that preceded
     * {@link #markReusable()} is visible once this returns {@code true}.
     */
    public boolean claimReusable() {
        if (!reusable) {
            return false;
        }
        REUSABLE.setOpaque(this, false);
        return true;
    }

    /**
     * The handler's answer to generation {@code generation}: {@link #ACCEPTED}, {@link #REFUSED}, {@link #STALE} or
     * {@link #DUPLICATE}.
     */
    int answerAsHandler(long generation, ResponseCode code) {
        if (!win(generation)) {
            return barredGeneration == generation ? STALE : DUPLICATE;
        }
        Handler h = handler();
        boolean accepted;
        try {
            accepted = completeOwnersAnswer(code);
        } finally {
            finish();
        }
        if (accepted && h != null) {
            h.answeredInTime();
        }
        return accepted ? ACCEPTED : REFUSED;
    }

    /**
     * The handler's answer to generation {@code generation} (through a handle, a token, or the group it deferred):
     * whether it was sent; a refusal is counted as a duplicate or, {@code barred} or after a change of owner, a stale
     * answer, on {@code device} and {@code handler} (on the handler alone when the device is not known any more).
     */
    boolean respondCounting(long generation, ResponseCode code, @Nullable DeviceState device,
            @Nullable Handler handler, boolean barred) {
        int outcome = answerAsHandler(generation, code);
        if (outcome == ACCEPTED) {
            return true;
        }
        if (outcome != REFUSED) {
            Counter c = barred || outcome == STALE ? Counter.STALE_ANSWERS : Counter.DUPLICATES;
            if (device != null) {
                device.count(c, handler);
            } else if (handler != null) {
                handler.counters.increment(c);
            }
        }
        return false;
    }

    /** The core's answer to generation {@code generation}, counting {@code reason} if given; whether it won. */
    public boolean answerBy(long generation, ResponseCode code, Counter reason) {
        if (!win(generation)) {
            return false;
        }
        keepFaultsForHandle(generation, false);
        try {
            complete(code, reason);
        } finally {
            finish();
        }
        return true;
    }

    /**
     * A change of owner answers the pending group {@code INVALID} (counting {@code reason}) if {@code which} selects
     * it; an answer being sent right now is waited for, so that nothing of the old owner reaches the backend after
     * the change returns. Returns whether this call answered it.
     */
    public boolean answerForBarrier(DeviceState d, GroupFilter which,
            Counter reason) {
        for (;;) {
            long w = word;
            int st = stateOf(w);
            if (st == FREE || st == DONE) {
                return false;
            }
            if (!selectedBy(d, which)) {
                return false;
            }
            if (st == SENDING) {
                awaitSent(w);
                return false;
            }
            if (WORD.compareAndSet(this, w, with(w, SENDING))) {
                sender = Thread.currentThread();
                long generation = generationOf(w);
                keepFaultsForHandle(generation, true);
                barredGeneration = generation;
                try {
                    complete(ResponseCode.INVALID, reason);
                } finally {
                    finish();
                }
                return true;
            }
        }
    }

    /**
     * The core won the answer of {@code generation} (the slot is not freed before it finishes): a handler holding
     * its handle keeps a copy of the faults.
     */
    private void keepFaultsForHandle(long generation, boolean barred) {
        DeferredHandle h = handle;
        if (h != null && h.generation() == generation) {
            h.keepFaults(buffer(), barred);
        }
    }

    /** Waits while the answer of state word {@code w} is being sent by another thread. */
    private void awaitSent(long w) {
        while (word == w && sender != Thread.currentThread()) {
            Thread.onSpinWait();
        }
    }

    /**
     * Hands generation {@code generation} back unanswered: the group stays pending, with the same faults, lineage
     * and deadline, under the next generation (so the handle that handed it back is spent). Returns the new
     * generation, or -1 if it was no longer pending.
     */
    long handBack(long generation) {
        for (;;) {
            long w = word;
            if (generationOf(w) != generation || stateOf(w) != OPEN) {
                return -1;
            }
            long next = (w & ((1L << GENERATION_SHIFT) - 1)) | ((generation + 1) << GENERATION_SHIFT);
            if (WORD.compareAndSet(this, w, next)) {
                handle = null;
                deferred = false;
                queued = true;
                return generation + 1;
            }
        }
    }

    /** Routes the pending group to {@code h} (the caller has it pinned). */
    public void routedTo(Handler h) {
        reassign(h);
    }

    // ---- as the FaultGroup of a handler call ----

    @Override
    void checkCaller() {
        Thread t = Thread.currentThread();
        if (t != caller && t != sender) {
            throw new IllegalStateException("a FaultGroup may be read and answered only on the thread that handed it"
                    + " to the handler, during that call; defer() it to answer from another thread");
        }
    }

    @Override
    public boolean respond(ResponseCode code) {
        checkCaller();
        Objects.requireNonNull(code, "response code");
        int outcome = answerAsHandler(generation(), code);
        if (outcome == DUPLICATE) {
            duplicate();
        } else if (outcome == STALE) {
            stale();
        }
        return outcome == ACCEPTED;
    }

    @Override
    public boolean answerBy(ResponseCode code, Counter reason) {
        return answerBy(generation(), code, reason);
    }

    @Override
    public boolean answered() {
        checkCaller();
        return stateOf(word) != OPEN;
    }

    @Override
    public boolean deferred() {
        return deferred;
    }

    @Override
    public DeferredGroup defer() {
        checkCaller();
        long w = word;
        if (stateOf(w) != OPEN) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        DeferredHandle h = handleFor(generationOf(w));
        deferred = true;
        return h;
    }

    @Override
    public long deferToken() {
        checkCaller();
        long w = word;
        if (stateOf(w) != OPEN) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        deferred = true;
        return token(generationOf(w));
    }

    @Override
    public DeferredTokens tokens() {
        return holder.tokens(handlerOrThrow());
    }

    @Override
    public String toString() {
        Thread t = Thread.currentThread();
        return t == caller || t == sender ? super.toString() : "held group slot " + index;
    }
}
