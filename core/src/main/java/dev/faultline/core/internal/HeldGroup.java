package dev.faultline.core.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * A group that outlives the reporting thread's slot: deferred by its handler, or waiting in a queued handler's
 * queue. It owns a copy of the faults and a deadline; the first answer (the handler's, the watchdog's, or a
 * departure's) wins by compare-and-set, later ones are counted as duplicates. Thread-safe.
 */
final class HeldGroup extends AnswerableGroup implements DeferredGroup {
    private static final VarHandle ANSWERED;

    static {
        try {
            ANSWERED = MethodHandles.lookup().findVarHandle(HeldGroup.class, "answered", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final GroupHolder holder;
    private final long deadlineNanos;
    private final boolean queued;
    private volatile boolean answered;
    private volatile boolean deferred;

    HeldGroup(FaultBuffer faults, AnswerableGroup original, long deadlineNanos, boolean queued, GroupHolder holder) {
        super(faults);
        this.device = original.device;
        this.handler = original.handler;
        this.reportedNanos = original.reportedNanos;
        this.deadlineNanos = deadlineNanos;
        this.queued = queued;
        this.deferred = !queued;
        this.holder = holder;
    }

    @Override
    public boolean respond(ResponseCode answer) {
        Objects.requireNonNull(answer, "response code");
        if (ANSWERED.compareAndSet(this, false, true)) {
            complete(answer, null);
            if (handler != null) {
                handler.answeredInTime();
            }
            return true;
        }
        return duplicate();
    }

    @Override
    public boolean handBack() {
        if (!ANSWERED.compareAndSet(this, false, true)) {
            return false;
        }
        holder.released(this);
        holder.handBack(this);
        return true;
    }

    @Override
    boolean answerBy(ResponseCode answer, Counter reason) {
        if (ANSWERED.compareAndSet(this, false, true)) {
            complete(answer, reason);
            return true;
        }
        return false;
    }

    @Override
    void answered(ResponseCode answer) {
        holder.released(this);
    }

    @Override
    public boolean answered() {
        return answered;
    }

    @Override
    boolean deferred() {
        return deferred;
    }

    /** Whether it still waits in a queued handler's queue (not yet handed to the handler, or not deferred by it). */
    boolean queued() {
        return queued && !deferred;
    }

    @Override
    public HeldGroup defer() {
        if (answered) {
            throw new IllegalStateException("cannot defer " + this + ": it is already answered");
        }
        deferred = true;
        return this;
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    DeviceState deviceState() {
        return device;
    }

    HandlerProxy handlerProxy() {
        return handler;
    }
}
