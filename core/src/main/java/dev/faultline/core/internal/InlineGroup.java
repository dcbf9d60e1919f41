package dev.faultline.core.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * The reusable group slot of one reporting thread: filled in place, handed to an inline handler, answered by
 * one compare-and-set, emptied. Only {@link #defer()} copies (into a {@link HeldGroup}).
 *
 * <p>States: {@code IDLE} between faults; {@code OPEN} while a handler may answer; then {@code ANSWERED}, or
 * {@code DEFERRED} (answers go to the held copy). The watchdog reads {@link #callStartNanos()} of slots that
 * are not idle to find handlers that block.
 */
final class InlineGroup extends AnswerableGroup {
    static final int IDLE = 0;
    static final int OPEN = 1;
    static final int DEFERRED = 2;
    static final int ANSWERED = 3;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(InlineGroup.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GroupHolder holder;
    /** The thread that fills and empties this slot. */
    final Thread owner;
    private volatile int state;
    /** Written before the state changes that publish it. */
    private HeldGroup held;
    /** The handler call this slot is in (published by the state write); the watchdog flags each call once. */
    private long callSerial;
    private volatile long flaggedSerial;
    /** The thread answering the open call on the handler's behalf (the watchdog, at its deadline), else null. */
    private volatile Thread answering;

    InlineGroup(int capacity, GroupHolder holder, Thread owner) {
        super(new FaultBuffer(capacity));
        this.holder = holder;
        this.owner = owner;
    }

    boolean idle() {
        return state == IDLE;
    }

    /** Fills in who and when, without opening the slot (for a group that is copied, not handled here). */
    void prepare(DeviceState d, HandlerProxy h, long now) {
        device = d;
        handler = h;
        reportedNanos = now;
        held = null;
    }

    /** Opens the filled slot for {@code h} (or for the core's own answer when {@code h} is null). */
    void open(DeviceState d, HandlerProxy h, long now) {
        prepare(d, h, now);
        callSerial++;
        STATE.setRelease(this, OPEN);
    }

    /** Empties the slot after the handler call; the group is answered or held by now. */
    void release() {
        while (answering != null) {
            // the watchdog is sending the answer it gave at the deadline: it still reads the faults
            Thread.onSpinWait();
        }
        faults.clear();
        handler = null;
        held = null;
        STATE.setRelease(this, IDLE);
    }

    /** Whether the slot holds a recoverable group still waiting for its answer (for the pending gauge). */
    boolean openRecoverable() {
        return state == OPEN && faults.recoverable();
    }

    /**
     * Only the reporting thread may read or answer the slot: it is reused for the next fault on this thread, of
     * any device, so a reference kept past the handler call and used elsewhere would otherwise read or answer
     * another device's group.
     */
    @Override
    void checkCaller() {
        Thread me = Thread.currentThread();
        if (me != owner && me != answering) {
            throw new IllegalStateException("a FaultGroup may be read and answered only on the thread that handed it"
                    + " to the handler, during that call; defer() it to answer from another thread");
        }
    }

    @Override
    public boolean respond(ResponseCode answer) {
        checkCaller();
        Objects.requireNonNull(answer, "response code");
        if (STATE.compareAndSet(this, OPEN, ANSWERED)) {
            complete(answer, null);
            HandlerProxy h = handler;
            if (h != null) {
                h.answeredInTime();
            }
            return true;
        }
        HeldGroup h = held;
        return h != null ? h.respond(answer) : duplicate();
    }

    @Override
    boolean answerBy(ResponseCode answer, Counter reason) {
        if (STATE.compareAndSet(this, OPEN, ANSWERED)) {
            complete(answer, reason);
            return true;
        }
        HeldGroup h = held;
        return h != null && h.answerBy(answer, reason);
    }

    @Override
    boolean deferred() {
        return state == DEFERRED;
    }

    @Override
    public boolean answered() {
        checkCaller();
        int s = state;
        HeldGroup h = held;
        return s == ANSWERED || (s == DEFERRED && h != null && h.answered());
    }

    @Override
    public DeferredGroup defer() {
        checkCaller();
        HeldGroup h = held;
        if (h != null) {
            return h;
        }
        int s = state;
        if (s == IDLE) {
            // a group kept past its handler call: the slot is empty (or serving another call), so it names nothing
            throw new IllegalStateException("cannot defer a group after the handler call it was handed to returned");
        }
        if (s != OPEN) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        h = holder.copyOf(this, false);
        held = h;
        if (!STATE.compareAndSet(this, OPEN, DEFERRED)) {
            held = null;
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        holder.hold(h);
        return h;
    }

    /** The serial of the call in progress (read after the state, which publishes it). */
    long openSerial() {
        return state == IDLE ? -1 : callSerial;
    }

    /**
     * Answers the recoverable group of call {@code serial} on its handler's behalf, from another thread (the
     * watchdog, when the call runs past the handler's deadline), unless that call is over. The handler's own later
     * answer is refused as a duplicate; the slot is not emptied until this answer is sent.
     */
    boolean answerOnBehalf(long serial, ResponseCode answer, Counter reason) {
        answering = Thread.currentThread();
        try {
            if (state != OPEN || callSerial != serial || !faults.recoverable()
                    || !STATE.compareAndSet(this, OPEN, ANSWERED)) {
                return false;
            }
            complete(answer, reason);
            return true;
        } finally {
            answering = null;
        }
    }

    /** When the current handler call started, or -1 if the slot is idle. */
    long callStartNanos() {
        return state == IDLE ? -1 : reportedNanos;
    }

    @Override
    boolean flaggedSlow() {
        return flaggedSerial == callSerial;
    }

    /** Whether the call in progress has not been flagged as blocking yet; marks it flagged. Watchdog thread only. */
    boolean flagCall() {
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
