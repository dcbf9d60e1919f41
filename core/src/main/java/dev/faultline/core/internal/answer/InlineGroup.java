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
 * The reusable group slot of one reporting thread: filled in place, handed to an inline handler, answered by
 * one compare-and-set, emptied. Only {@link #defer()} copies (into a pooled {@link HeldGroup}).
 *
 * <p>States: {@code IDLE} between faults; {@code OPEN} while a handler may answer; then {@code ANSWERED}, or
 * {@code DEFERRED} (answers go to the held copy), or, when its owner changed during the call, {@code CLAIMED}
 * while a change of owner answers it from another thread and {@code BARRED} afterwards (the handler's answer is
 * then stale). The state word carries the call's serial number above the state, so a compare-and-set from
 * another thread can never hit the slot's next call. The watchdog reads {@link #callStartNanos()} of slots that
 * are not idle to find handlers that block.
 */
public final class InlineGroup extends AnswerableGroup {
    static final int IDLE = 0;
    static final int OPEN = 1;
    static final int DEFERRED = 2;
    static final int ANSWERED = 3;
    static final int CLAIMED = 4;
    static final int BARRED = 5;
    private static final int STATE_BITS = 3;
    private static final long STATE_MASK = (1 << STATE_BITS) - 1;

    private static final VarHandle STATE;
    private static final VarHandle SENT;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(InlineGroup.class, "state", long.class);
            CALLING = MethodHandles.lookup().findVarHandle(InlineGroup.class, "calling", Handler.class);
            SENT = MethodHandles.lookup().findVarHandle(InlineGroup.class, "sentSerial", long.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GroupHolder holder;
    /** The thread that fills and empties this slot. */
    public final Thread owner;
    /** The call's serial number (upper bits) and its state (lower {@value #STATE_BITS} bits). */
    private volatile long state;
    /**
     * The held copy once deferred, and its generation; written before the state change that publishes them. Answers
     * after the deferral go to it.
     */
    private @Nullable HeldGroup heldCopy;
    private long heldGeneration;
    /** The handle of the held copy, once {@link #defer()} asked for one. */
    private @Nullable DeferredHandle held;
    /** The handler call this slot is in (published by the state write); the watchdog flags each call once. */
    private long callSerial;
    private volatile long flaggedSerial;
    /** The serial of the last call whose answer the backend has been given. */
    private volatile long sentSerial;
    /**
     * The thread answering this slot from outside while {@code CLAIMED}: a change of owner, or the watchdog
     * answering a call past its deadline on the handler's behalf.
     */
    private volatile Thread claimer;
    /**
     * The handler this listed slot is calling, from just before its state is checked to the end of the call
     * ({@link #enterCall}); a departure reads it from every listed slot ({@link InlineSlots}).
     */
    private volatile Handler calling;
    private static final VarHandle CALLING;
    /** Whether the slot is listed for the watchdog and departures (a nested report's slot is not). */
    final boolean listed;

    InlineGroup(int capacity, GroupHolder holder, Thread owner, boolean listed) {
        super(new FaultBuffer(capacity));
        this.holder = holder;
        this.owner = owner;
        this.listed = listed;
    }

    /**
     * Announces a call of {@code h} on this slot's thread; false (and nothing announced) if {@code h} departed. A
     * listed slot writes {@link #calling} and then reads the handler's state, and a departure sets the state and
     * then reads every listed slot's {@link #calling} (both volatile): either the call sees the departure or the
     * departure sees the call, and waits for it. That costs one fenced store per call instead of the two atomic
     * updates of a shared counter ({@link Handler#enter()}), which a nested report's unlisted slot uses.
     */
    public boolean enterCall(Handler h) {
        if (!listed) {
            return h.enter();
        }
        calling = h;
        if (h.state() == Handler.State.GONE) {
            CALLING.setRelease(this, null);
            return false;
        }
        return true;
    }

    /** Ends the call {@link #enterCall} announced. */
    public void exitCall(Handler h) {
        if (listed) {
            CALLING.setRelease(this, null);
        } else {
            h.exit();
        }
    }

    /** The handler this listed slot is calling now, or {@code null}. */
    public Handler calling() {
        return calling;
    }

    private static int bits(long word) {
        return (int) (word & STATE_MASK);
    }

    private static long with(long word, int bits) {
        return (word & ~STATE_MASK) | bits;
    }

    /** Whether the slot is between faults (only its owner fills it again). */
    public boolean idle() {
        return bits(state) == IDLE;
    }

    /** Fills in who and when, without opening the slot (for a group that is copied, not handled here). */
    public void prepare(DeviceState d, Handler h, long now) {
        fill(d, h, now, buffer().recoverable() ? d.timeAnswer(now) : UNTIMED);
        forgetCopy();
    }

    /** Opens the filled slot for {@code h} (or for the core's own answer when {@code h} is null). */
    public void open(DeviceState d, Handler h, long now) {
        prepare(d, h, now);
        long serial = ++callSerial;
        STATE.setRelease(this, (serial << STATE_BITS) | OPEN);
    }

    /** Empties the slot after the handler call; the group is answered or held by now. */
    public void release() {
        while (bits(state) == CLAIMED) {
            // a change of owner (or the watchdog, at the deadline) is sending this group's answer from its own
            // thread; the faults must stay put
            Thread.onSpinWait();
        }
        buffer().clear();
        forget(false);
        forgetCopy();
        STATE.setRelease(this, callSerial << STATE_BITS);
    }

    private void forgetCopy() {
        if (heldCopy != null) {
            heldCopy = null;
            held = null;
        }
    }

    /** Whether the slot holds a recoverable group still waiting for its answer (for the pending gauge). */
    public boolean openRecoverable() {
        return bits(state) == OPEN && buffer().recoverable();
    }

    /**
     * Only the reporting thread may read or answer the slot: it is reused for the next fault on this thread, of
     * any device, so a reference kept past the handler call and used elsewhere would otherwise read or answer
     * another device's group. The one exception is a change of owner answering the open slot (while it is
     * {@code CLAIMED} the slot cannot move on).
     */
    @Override
    void checkCaller() {
        Thread t = Thread.currentThread();
        if (t != owner && t != claimer) {
            throw new IllegalStateException("a FaultGroup may be read and answered only on the thread that handed it"
                    + " to the handler, during that call; defer() it to answer from another thread");
        }
    }

    @Override
    public boolean respond(ResponseCode answer) {
        checkCaller();
        Objects.requireNonNull(answer, "response code");
        long s = state;
        if (bits(s) == OPEN && STATE.compareAndSet(this, s, with(s, ANSWERED))) {
            Handler h = handler();
            boolean accepted = completeOwnersAnswer(answer);
            if (accepted && h != null) {
                h.answeredInTime();
            }
            return accepted;
        }
        HeldGroup copy = heldCopy;
        if (copy != null) {
            DeferredHandle h = held;
            return h != null ? h.respond(answer)
                    : copy.respondCounting(heldGeneration, answer, deviceState(), handler(), false);
        }
        while (bits(state) == CLAIMED) {
            // being answered from another thread: a change of owner (then stale) or the watchdog (a duplicate)
            Thread.onSpinWait();
        }
        return bits(state) == BARRED ? stale() : duplicate();
    }

    @Override
    public boolean answerBy(ResponseCode answer, Counter reason) {
        long s = state;
        if (bits(s) == OPEN && STATE.compareAndSet(this, s, with(s, ANSWERED))) {
            complete(answer, reason);
            return true;
        }
        HeldGroup copy = heldCopy;
        return copy != null && copy.answerBy(heldGeneration, answer, reason);
    }

    @Override
    void answered(ResponseCode answer) {
        SENT.setRelease(this, callSerial);
    }

    /**
     * A change of owner, from any thread: if this slot's call serves a recoverable group of {@code d} that
     * {@code which} selects and nobody answered it yet, answers it {@code INVALID} now (counting {@code reason});
     * if its answer is being sent right now, waits until it is sent. Returns whether this call answered it.
     */
    public boolean answerForBarrier(DeviceState d, GroupFilter which, Counter reason) {
        long s = state;
        int b = bits(s);
        if (b != OPEN && b != ANSWERED && b != CLAIMED) {
            return false;
        }
        if (!selectedBy(d, which)) {
            return false;
        }
        if (b == CLAIMED) {
            // another thread (the watchdog, or another change of owner) is sending its answer: wait for it
            while (Thread.currentThread() != owner && state == s) {
                Thread.onSpinWait();
            }
            return false;
        }
        if (b == ANSWERED) {
            awaitSent(s);
            return false;
        }
        if (handler() == null || !STATE.compareAndSet(this, s, with(s, CLAIMED))) {
            // the core answers a handler-less group itself on the slot's thread; or the call moved on
            awaitSent(state);
            return false;
        }
        claimer = Thread.currentThread();
        try {
            complete(ResponseCode.INVALID, reason);
        } finally {
            claimer = null;
            STATE.setRelease(this, with(s, BARRED));
        }
        return true;
    }

    /** Waits while the call of {@code word} is answered but its answer not yet handed to the backend. */
    private void awaitSent(long word) {
        long serial = word >>> STATE_BITS;
        if (Thread.currentThread() == owner) {
            return;
        }
        while (state == with(word, ANSWERED) && sentSerial != serial) {
            Thread.onSpinWait();
        }
    }

    @Override
    public boolean deferred() {
        return bits(state) == DEFERRED;
    }

    @Override
    public boolean answered() {
        checkCaller();
        int s = bits(state);
        HeldGroup copy = heldCopy;
        return s == ANSWERED || s == BARRED || s == CLAIMED || (s == DEFERRED && copy != null
                && !copy.pending(heldGeneration));
    }

    @Override
    public DeferredGroup defer() {
        checkCaller();
        DeferredHandle h = held;
        if (h != null) {
            return h;
        }
        HeldGroup copy = heldCopy;
        if (copy != null) {
            // deferred by token first: the handle of that deferral
            h = copy.handleFor(heldGeneration);
            held = h;
            return h;
        }
        deferCopy(true);
        return held;
    }

    @Override
    public long deferToken() {
        checkCaller();
        HeldGroup copy = heldCopy;
        if (copy == null) {
            copy = deferCopy(false);
        }
        return copy.token(heldGeneration);
    }

    @Override
    public DeferredTokens tokens() {
        return holder.tokens(handlerOrThrow());
    }

    /**
     * Copies the open group into a held slot and makes it pending there (with its handle made first, before anyone can
     * answer the copy, when {@code withHandle}); answers given here from now on go to the copy.
     */
    private HeldGroup deferCopy(boolean withHandle) {
        long s = state;
        int b = bits(s);
        if (b == IDLE) {
            // a group kept past its handler call: the slot is empty (or serving another call), so it names nothing
            throw new IllegalStateException("cannot defer a group after the handler call it was handed to returned");
        }
        if (b != OPEN) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        HeldGroup copy = holder.reserve(this, false);
        heldGeneration = copy.generation();
        held = withHandle ? copy.reservedHandle() : null;
        heldCopy = copy;
        if (!STATE.compareAndSet(this, s, with(s, DEFERRED))) {
            heldCopy = null;
            held = null;
            holder.unreserve(copy);
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        holder.hold(copy);
        return copy;
    }

    /** The serial of the call in progress, or -1 if the slot is idle (taken from the state word). */
    public long openSerial() {
        long s = state;
        return bits(s) == IDLE ? -1 : s >>> STATE_BITS;
    }

    /**
     * Answers the recoverable group of call {@code serial} on its handler's behalf, from another thread (the
     * watchdog, when the call runs past the handler's deadline), unless that call is over. The handler's own later
     * answer is refused as a duplicate; the slot is not emptied until this answer is sent.
     */
    public boolean answerOnBehalf(long serial, ResponseCode answer, Counter reason) {
        long open = (serial << STATE_BITS) | OPEN;
        if (state != open || !recoverableWithHandler()) {
            return false;
        }
        if (!STATE.compareAndSet(this, open, with(open, CLAIMED))) {
            return false;
        }
        claimer = Thread.currentThread();
        try {
            complete(answer, reason);
        } finally {
            claimer = null;
            STATE.setRelease(this, with(open, ANSWERED));
        }
        return true;
    }

    /**
     * Whether the call in progress serves a recoverable group with a handler; read defensively like
     * {@link #serves}: if the slot moves on meanwhile, the caller's compare-and-set fails.
     */
    private boolean recoverableWithHandler() {
        try {
            return handler() != null && buffer().recoverable();
        } catch (RuntimeException slotMovedOn) {
            return false;
        }
    }

    /** When the current handler call started, or -1 if the slot is idle. */
    public long callStartNanos() {
        return idle() ? -1 : reportedAt();
    }

    @Override
    public boolean flaggedSlow() {
        return flaggedSerial == callSerial;
    }

    /** Whether the call in progress has not been flagged as blocking yet; marks it flagged. Watchdog thread only. */
    public boolean flagCall() {
        long s = callSerial;
        if (s == flaggedSerial) {
            return false;
        }
        flaggedSerial = s;
        return true;
    }

    @Override
    public String toString() {
        return Thread.currentThread() == owner ? super.toString() : "fault group slot of " + owner.getName();
    }
}
