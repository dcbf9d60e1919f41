package dev.faultline.core.internal.answer;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
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
 * after the answer (device, group id, deadline); the faults are read from the slot while it holds the group, and
 * kept in a copy when the core answers on the handler's behalf (the handler may still be working on it). This small
 * object is all that a deferred group answered by its handler allocates. Thread-safe.
 */
final class DeferredHandle implements DeferredGroup {
    private final HeldGroup slot;
    private final long generation;
    private final DeviceState device;
    private final Handler handler;
    private final int groupId;
    private final long deadlineNanos;
    /**
     * Set when the core answered the group on the handler's behalf: the faults, copied (it may still read them), and
     * whether a change of owner answered it (a later answer is stale, not a duplicate).
     */
    private volatile Kept kept;

    /** What the handle keeps once the core answered its group. */
    private record Kept(FaultBuffer faults, boolean barred) {
    }

    DeferredHandle(HeldGroup slot, long generation) {
        this.slot = slot;
        this.generation = generation;
        this.device = slot.deviceState();
        this.handler = slot.handler();
        this.groupId = slot.buffer().groupId();
        this.deadlineNanos = slot.deadlineNanos();
    }

    long generation() {
        return generation;
    }

    /**
     * The core answers the group on the handler's behalf (deadline, departure, or, {@code barred}, a change of owner):
     * the handler, which still holds this handle and may not know yet, keeps the faults (the one copy a deferred
     * group may cost).
     */
    void keepFaults(FaultBuffer faults, boolean barred) {
        if (kept == null) {
            kept = new Kept(faults.copy(), barred);
        }
    }

    @Override
    public DeviceId device() {
        return device.id();
    }

    @Override
    public boolean recoverable() {
        return groupId >= 0; // an unrecoverable fault's group id is -1; a page request group's is never negative
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
     * The faults: read from the slot while it holds this group (pinned while they are copied out), or from the copy
     * kept when the core answered the group on the handler's behalf.
     *
     * @throws IllegalStateException once the handler answered the group itself and its slot went on
     */
    @Override
    public List<Fault> faults() {
        Kept copy = kept;
        if (copy != null) {
            return faultsOf(copy.faults());
        }
        if (!slot.pin(generation, false)) {
            return faultsOf(keptFaults());
        }
        try {
            return faultsOf(slot.buffer());
        } finally {
            slot.unpin();
        }
    }

    // in-place reads: from the slot while it holds this generation (pinned, so it cannot go on meanwhile), else from
    // the copy kept when the core answered the group

    @Override
    public int size() {
        if (slot.pin(generation, false)) {
            try {
                return slot.buffer().size();
            } finally {
                slot.unpin();
            }
        }
        return keptFaults().size();
    }

    @Override
    public long address(int index) {
        if (slot.pin(generation, false)) {
            try {
                FaultBuffer faults = slot.buffer();
                return faults.address(Objects.checkIndex(index, faults.size()));
            } finally {
                slot.unpin();
            }
        }
        FaultBuffer faults = keptFaults();
        return faults.address(Objects.checkIndex(index, faults.size()));
    }

    @Override
    public Permissions permissions(int index) {
        if (slot.pin(generation, false)) {
            try {
                FaultBuffer faults = slot.buffer();
                return faults.permissions(Objects.checkIndex(index, faults.size()));
            } finally {
                slot.unpin();
            }
        }
        FaultBuffer faults = keptFaults();
        return faults.permissions(Objects.checkIndex(index, faults.size()));
    }

    /** The copy kept when the core answered the group; refused once the handler answered and the slot went on. */
    private FaultBuffer keptFaults() {
        Kept copy = kept;
        if (copy == null) {
            throw new IllegalStateException("deferred page request group 0x" + Integer.toHexString(groupId) + " of "
                    + device.id() + " was answered: its faults are no longer kept");
        }
        return copy.faults();
    }

    private List<Fault> faultsOf(FaultBuffer faults) {
        int n = faults.size();
        List<Fault> all = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            all.add(faults.fault(device.id(), i));
        }
        return Collections.unmodifiableList(all);
    }

    @Override
    public boolean respond(ResponseCode code) {
        Objects.requireNonNull(code, "response code");
        Kept k = kept;
        return slot.respondCounting(generation, code, device, handler, k != null && k.barred());
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
        return (recoverable() ? "page request group 0x" + Integer.toHexString(groupId) : "unrecoverable fault") + " of "
                + device.id() + " (deferred)";
    }
}
