package dev.faultline.core.internal.answer;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
import java.util.Objects;

/**
 * One handler's deferred groups named by token: each call finds the slot through the {@link TokenDirectory} and acts
 * on the token's generation only, so a stale token (its group answered, handed back, or its slot gone on) answers and
 * reads nothing; refused answers are counted on this handler. A read pins the slot while the group is pending, so it
 * cannot go on mid-read. Allocates nothing. Thread-safe.
 */
public final class HandlerTokens implements DeferredTokens {
    private final TokenDirectory directory;
    private final Handler handler;

    public HandlerTokens(TokenDirectory directory, Handler handler) {
        this.directory = directory;
        this.handler = handler;
    }

    private HeldGroup slotOf(long token) {
        if (token < 0) {
            throw new IllegalArgumentException("a deferred group token is never negative: " + token);
        }
        return directory.slot(token);
    }

    @Override
    public boolean respond(long token, ResponseCode code) {
        Objects.requireNonNull(code, "response code");
        HeldGroup slot = slotOf(token);
        if (slot == null) {
            handler.counters.increment(Counter.STALE_ANSWERS); // its slot's pool is gone: an answer long overdue
            return false;
        }
        return slot.respondCounting(TokenDirectory.generationOf(token, slot.generation()), code, null, handler, false);
    }

    @Override
    public boolean answered(long token) {
        HeldGroup slot = slotOf(token);
        return slot == null || !slot.pending(TokenDirectory.generationOf(token, slot.generation()));
    }

    @Override
    public boolean handBack(long token) {
        HeldGroup slot = slotOf(token);
        if (slot == null) {
            return false;
        }
        long next = slot.handBack(TokenDirectory.generationOf(token, slot.generation()));
        if (next < 0) {
            return false;
        }
        slot.holder().handBack(slot, next);
        return true;
    }

    /** The slot of {@code token}, pinned while its group is pending; to be unpinned. */
    private HeldGroup pinned(long token) {
        HeldGroup slot = slotOf(token);
        if (slot == null || !slot.pin(TokenDirectory.generationOf(token, slot.generation()), true)) {
            throw new IllegalStateException("the group of token 0x" + Long.toHexString(token)
                    + " is answered or handed back: read it before answering");
        }
        return slot;
    }

    @Override
    public int size(long token) {
        HeldGroup slot = pinned(token);
        try {
            return slot.buffer().size();
        } finally {
            slot.unpin();
        }
    }

    @Override
    public long address(long token, int index) {
        HeldGroup slot = pinned(token);
        try {
            FaultBuffer faults = slot.buffer();
            return faults.address(Objects.checkIndex(index, faults.size()));
        } finally {
            slot.unpin();
        }
    }

    @Override
    public Permissions permissions(long token, int index) {
        HeldGroup slot = pinned(token);
        try {
            FaultBuffer faults = slot.buffer();
            return faults.permissions(Objects.checkIndex(index, faults.size()));
        } finally {
            slot.unpin();
        }
    }

    @Override
    public DeviceId device(long token) {
        HeldGroup slot = pinned(token);
        try {
            return slot.deviceState().id();
        } finally {
            slot.unpin();
        }
    }

    @Override
    public int groupId(long token) {
        HeldGroup slot = pinned(token);
        try {
            return slot.buffer().groupId();
        } finally {
            slot.unpin();
        }
    }

    @Override
    public long deadlineNanos(long token) {
        HeldGroup slot = pinned(token);
        try {
            return slot.deadlineNanos();
        } finally {
            slot.unpin();
        }
    }

    @Override
    public String toString() {
        return "deferred group tokens of " + handler;
    }
}
