package dev.faultline.core.internal.answer;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
import dev.faultline.core.internal.report.DeviceState;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A group that outlives the reporting thread's slot: deferred by its handler, or waiting in a queued handler's
 * queue. It owns a copy of the faults and a deadline; the first answer (the handler's, the watchdog's, or a
 * departure's) wins by compare-and-set, later ones are counted as duplicates. Thread-safe.
 */
public final class HeldGroup extends AnswerableGroup implements DeferredGroup {
    private static final VarHandle ANSWER;
    private static final int OPEN = 0;
    private static final int ANSWERED = 1;
    /** Answered by a change of owner: a later answer is stale. */
    private static final int BARRED = 2;

    static {
        try {
            ANSWER = MethodHandles.lookup().findVarHandle(HeldGroup.class, "answer", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GroupHolder holder;
    private final long deadlineNanos;
    private final boolean queued;
    private volatile int answer;
    /** The thread that won the answer (a change of owner made from inside its send does not wait for itself). */
    private volatile Thread sender;
    /** Set once the winning answer has been handed to the backend. */
    private volatile boolean sent;
    private volatile boolean deferred;
    private final long serial;

    /** A held copy of {@code original}; {@code serial} numbers it among the groups its core held so far. */
    public HeldGroup(FaultBuffer faults, AnswerableGroup original, long deadlineNanos, boolean queued, GroupHolder holder,
            long serial) {
        super(faults);
        this.serial = serial;
        this.device = original.device;
        this.handler = original.handler;
        this.attachment = original.attachment;
        this.reportedNanos = original.reportedNanos;
        this.timedSince = original.timedSince;
        original.timedSince = UNTIMED;
        this.deadlineNanos = deadlineNanos;
        this.queued = queued;
        this.deferred = !queued;
        this.holder = holder;
    }

    @Override
    public boolean respond(ResponseCode code) {
        Objects.requireNonNull(code, "response code");
        if (ANSWER.compareAndSet(this, OPEN, ANSWERED)) {
            sender = Thread.currentThread();
            boolean accepted = completeOwnersAnswer(code);
            if (accepted && handler != null) {
                handler.answeredInTime();
            }
            return accepted;
        }
        return answer == BARRED ? stale() : duplicate();
    }

    @Override
    public boolean handBack() {
        if (!ANSWER.compareAndSet(this, OPEN, ANSWERED)) {
            return false;
        }
        // nothing of this copy goes to the backend: a change of owner must not wait for its send
        sent = true;
        holder.released(this);
        holder.handBack(this);
        return true;
    }

    @Override
    public boolean answerBy(ResponseCode code, Counter reason) {
        if (ANSWER.compareAndSet(this, OPEN, ANSWERED)) {
            sender = Thread.currentThread();
            complete(code, reason);
            return true;
        }
        return false;
    }

    /**
     * A change of owner answers the group {@code INVALID} (counting {@code reason}) unless it is answered already;
     * an answer being sent right now is waited for, so that nothing of the old owner reaches the backend after
     * the change returns.
     *
     * @return whether this call answered it
     */
    public boolean answerForBarrier(Counter reason) {
        if (ANSWER.compareAndSet(this, OPEN, BARRED)) {
            complete(ResponseCode.INVALID, reason);
            return true;
        }
        while (!sent && sender != Thread.currentThread()) {
            Thread.onSpinWait();
        }
        return false;
    }

    @Override
    void answered(ResponseCode code) {
        sent = true;
        holder.released(this);
    }

    @Override
    public boolean answered() {
        return answer != OPEN;
    }

    @Override
    public boolean deferred() {
        return deferred;
    }

    /** Whether it still waits in a queued handler's queue (not yet handed to the handler, or not deferred by it). */
    public boolean queued() {
        return queued && !deferred;
    }

    @Override
    public HeldGroup defer() {
        if (answer != OPEN) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        deferred = true;
        return this;
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    public DeviceState deviceState() {
        return device;
    }

    public Handler handler() {
        return handler;
    }

    /**
     * The group's serial, not its identity: a set of held groups (the pending groups a barrier answers) then iterates
     * in an order that depends only on which groups were held in which order, so a run replayed with the same inputs
     * and interleaving (the deterministic simulation) answers them in the same order.
     */
    @Override
    public int hashCode() {
        return Long.hashCode(serial);
    }

    /** Identity, as {@link Object#equals}: every held group is its own (its serial is unique in its core). */
    @Override
    public boolean equals(Object other) {
        return this == other;
    }
}
