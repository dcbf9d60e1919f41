package dev.faultline.core.internal.answer;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.report.DeviceState;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * What a handler holds of a deferred group: its held slot and the generation it was deferred in. Every answer
 * names that generation, so once the group is answered (by anyone) or handed back, this handle answers nothing,
 * even after the slot went on to another group; the refusal is counted on the group's own device and handler (a
 * duplicate, or a stale answer after a change of owner). The handle keeps the few values a handler may read
 * after the answer (device, group id, deadline); the faults are read from the slot while it still holds the group.
 * This small object is all that a deferred group allocates. Thread-safe.
 */
final class DeferredHandle implements DeferredGroup {
    private final HeldGroup slot;
    private final long generation;
    private final DeviceState device;
    private final Handler handler;
    private final boolean recoverable;
    private final int groupId;
    private final long deadlineNanos;
    /** Set when a change of owner answered the group: a later answer is stale, not a duplicate. */
    private volatile boolean barred;

    DeferredHandle(HeldGroup slot, long generation) {
        this.slot = slot;
        this.generation = generation;
        this.device = slot.deviceState();
        this.handler = slot.handler();
        this.recoverable = slot.buffer().recoverable();
        this.groupId = slot.buffer().groupId();
        this.deadlineNanos = slot.deadlineNanos();
    }

    long generation() {
        return generation;
    }

    void barred() {
        barred = true;
    }

    @Override
    public DeviceId device() {
        return device.id();
    }

    @Override
    public boolean recoverable() {
        return recoverable;
    }

    @Override
    public int groupId() {
        return groupId;
    }

    @Override
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /**
     * The faults, while the slot still holds this group (pinned while they are copied out).
     *
     * @throws IllegalStateException once the group was answered and its slot went on to another group
     */
    @Override
    public List<Fault> faults() {
        if (!slot.pin(generation, false)) {
            throw new IllegalStateException("deferred page request group 0x" + Integer.toHexString(groupId) + " of "
                    + device.id() + " was answered: its faults are no longer kept");
        }
        try {
            int n = slot.buffer().size();
            List<Fault> all = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                all.add(slot.buffer().fault(device.id(), i));
            }
            return Collections.unmodifiableList(all);
        } finally {
            slot.unpin();
        }
    }

    @Override
    public boolean respond(ResponseCode code) {
        Objects.requireNonNull(code, "response code");
        int outcome = slot.answerAsHandler(generation, code);
        if (outcome == HeldGroup.ACCEPTED) {
            return true;
        }
        if (outcome != HeldGroup.REFUSED) {
            device.count(barred || outcome == HeldGroup.STALE ? Counter.STALE_ANSWERS : Counter.DUPLICATES, handler);
        }
        return false;
    }

    /** The core's answer on the handler's behalf (abandonment, error), counting {@code reason} if given. */
    boolean answerBy(ResponseCode code, Counter reason) {
        return slot.answerBy(generation, code, reason);
    }

    @Override
    public boolean answered() {
        return !slot.pending(generation);
    }

    @Override
    public boolean handBack() {
        long next = slot.handBack(generation);
        if (next < 0) {
            return false;
        }
        slot.holder().handBack(slot, next);
        return true;
    }

    @Override
    public String toString() {
        return (recoverable ? "page request group 0x" + Integer.toHexString(groupId) : "unrecoverable fault") + " of "
                + device.id() + " (deferred)";
    }
}
