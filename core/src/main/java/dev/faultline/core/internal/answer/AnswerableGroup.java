package dev.faultline.core.internal.answer;

import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
import dev.faultline.core.internal.report.DeviceState;
import dev.faultline.core.internal.route.Attachment;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A group as a handler and a backend see it: the faults read in place from a {@link FaultBuffer}, the answer
 * sent exactly once. The object is also the {@link PageResponse} the backend reads, so answering allocates
 * nothing. Subclasses decide how "exactly once" is won: {@link InlineGroup} (a reused slot) and
 * {@link HeldGroup} (a deferred or queued copy).
 */
public abstract class AnswerableGroup implements FaultGroup, PageResponse {
    private final FaultBuffer faults;
    private DeviceState device;
    private Handler handler;
    /** The handler of a group handed to a handler (its {@link FaultGroup#tokens()}), checked on its calling thread. */
    final Handler handlerOrThrow() {
        checkCaller();
        Handler h = handler;
        if (h == null) {
            throw new IllegalStateException(this + " is answered by the core, not a handler");
        }
        return h;
    }

    /** The attachment the group was formed under (its owner's identity), or {@code null}. */
    private Attachment attachment;
    private long reportedNanos;
    /** When the group was received, read from the ticker, if its answer latency is timed; else {@link #UNTIMED}. */
    private long timedSince = UNTIMED;
    /**
     * What the reporting thread has not counted yet of this group for its device: nothing, its forming, or its
     * forming and dispatch; the one answer counts it with itself ({@link DeviceState#sendResponse}).
     */
    private int untallied;
    private ResponseCode code;

    /** {@link #timedSince} of a group whose answer latency is not timed. */
    public static final long UNTIMED = Long.MIN_VALUE;

    AnswerableGroup(FaultBuffer faults) {
        this.faults = faults;
    }

    /** The faults, read in place (the core's own code; a handler reads them through {@link FaultGroup}). */
    public final FaultBuffer buffer() {
        return faults;
    }

    /** The device whose group this is ({@code null} for an empty slot). */
    public final DeviceState deviceState() {
        return device;
    }

    /** The handler the group is dispatched to, or {@code null} (nobody, or the core answers it). */
    public final Handler handler() {
        return handler;
    }

    /** The attachment the group was formed under (its owner's identity), or {@code null}. */
    public final Attachment attachment() {
        return attachment;
    }

    /** When the group was reported (the core's own read, without the caller check of {@link #reportedNanos()}). */
    public final long reportedAt() {
        return reportedNanos;
    }

    /** What the reporting thread still owes the device's counters for this group ({@link DeviceState}'s tally). */
    public final int untallied() {
        return untallied;
    }

    /** Records what the reporting thread still owes the device's counters for this group. */
    public final void untallied(int owed) {
        untallied = owed;
    }

    /** Records the attachment the group is formed under (the reporting thread, before dispatch). */
    public final void formedUnder(Attachment a) {
        if (attachment != a) {
            attachment = a;
        }
    }

    /** Fills in who and when, and whether its answer latency is timed (from when, or {@link #UNTIMED}). */
    final void fill(DeviceState d, Handler h, long reported, long timed) {
        // a reference is written only when it changes: into this long-lived slot each write costs the garbage
        // collector's write barrier (with G1, a fence when the value lives in another region)
        if (device != d) {
            device = d;
        }
        if (handler != h) {
            handler = h;
        }
        reportedNanos = reported;
        timedSince = timed;
    }

    /** Takes everything but the faults from {@code original} (a held copy), with its latency timing. */
    final void fillFrom(AnswerableGroup original) {
        fill(original.device, original.handler, original.reportedNanos, original.timedSince);
        attachment = original.attachment;
        original.timedSince = UNTIMED;
    }

    /**
     * Whether the slot holds a recoverable group of {@code d} selected by {@code which}, read from another thread. The
     * fields were written before the state word that published them; if the slot moves on while they are read here,
     * the state word (checked again by the caller's compare-and-set) has changed and the reading does not count.
     */
    final boolean selectedBy(DeviceState d, GroupFilter which) {
        try {
            return device == d && faults.recoverable() && which.test(faults.lastPasid(), attachment);
        } catch (RuntimeException slotMovedOn) {
            return false;
        }
    }

    /** Changes the handler a held group goes to (it is routed again). */
    final void reassign(Handler h) {
        handler = h;
    }

    /**
     * Forgets the handler and attachment (an emptied slot keeps nothing alive); {@code device} too, unless a late
     * answer through the emptied slot is still counted on it (the reporting thread's slot).
     */
    final void forget(boolean device) {
        handler = null;
        attachment = null;
        if (device) {
            this.device = null;
        }
    }

    /**
     * Answers on the core's behalf (abandonment, handler error, timeout, departure), counting {@code reason}
     * if given.
     *
     * @return whether this answer won
     */
    public abstract boolean answerBy(ResponseCode answer, Counter reason);

    /** Whether the handler kept the group ({@link #defer()}). */
    public abstract boolean deferred();

    /**
     * Refuses a caller that may not read or answer this group (a reused slot checks the thread); the core's own
     * code reads the fields directly.
     */
    void checkCaller() {
    }

    /** Whether the watchdog flagged the current handler call as blocking. */
    public boolean flaggedSlow() {
        return false;
    }

    /** Called by the winner of the answer, once: counts it and sends it to the backend. */
    public final void complete(ResponseCode answer, Counter reason) {
        long since = timedSince;
        if (since != UNTIMED) {
            timedSince = UNTIMED;
            device.answerTimed(since, handler);
        }
        if (reason != null) {
            device.count(reason, handler);
        }
        if (faults.recoverable()) {
            code = answer;
            device.sendResponse(this, answer, handler);
            code = null;
        }
        answered(answer);
    }

    /**
     * Called by the winner of a handler's answer: if the group's owner changed since it was formed, the answer is
     * stale and refused (counted), and the group gets the barrier's INVALID instead; otherwise it is sent.
     *
     * @return whether the handler's answer was accepted
     */
    final boolean completeOwnersAnswer(ResponseCode answer) {
        Attachment a = attachment;
        if (a != null && a.retired()) {
            device.count(Counter.STALE_ANSWERS, handler);
            complete(ResponseCode.INVALID, device.barrierReason());
            return false;
        }
        complete(answer, null);
        return true;
    }

    /** Whether the owner the group was formed under is gone (its attachment retired). */
    public final boolean ownerGone() {
        Attachment a = attachment;
        return a != null && a.retired();
    }

    /** Counts an answer refused because a change of owner already answered the group. */
    final boolean stale() {
        device.count(Counter.STALE_ANSWERS, handler);
        return false;
    }

    /** Hook after the answer was sent. */
    void answered(ResponseCode answer) {
    }

    /** Counts a rejected, later answer. */
    final boolean duplicate() {
        device.count(Counter.DUPLICATES, handler);
        return false;
    }

    @Override
    public DeviceId device() {
        checkCaller();
        return device.id();
    }

    @Override
    public boolean recoverable() {
        checkCaller();
        return faults.recoverable();
    }

    @Override
    public int size() {
        checkCaller();
        return faults.size();
    }

    @Override
    public int pasid() {
        checkCaller();
        return faults.lastPasid();
    }

    @Override
    public boolean hasPasid() {
        checkCaller();
        return faults.lastPasid() != Pasid.NONE;
    }

    @Override
    public int groupId() {
        checkCaller();
        return faults.groupId();
    }

    @Override
    public long address(int index) {
        checkCaller();
        return faults.address(index);
    }

    @Override
    public Permissions permissions(int index) {
        checkCaller();
        return faults.permissions(index);
    }

    @Override
    public boolean addressValid() {
        checkCaller();
        return faults.recoverable() || (faults.lastFlags() & UnrecoverableFault.ADDR_VALID) != 0;
    }

    @Override
    public long fetchAddress() {
        checkCaller();
        return faults.fetchAddress();
    }

    @Override
    public boolean fetchAddressValid() {
        checkCaller();
        return !faults.recoverable() && (faults.lastFlags() & UnrecoverableFault.FETCH_ADDR_VALID) != 0;
    }

    @Override
    public HardwareRecord hardwareRecord() {
        checkCaller();
        return faults.record();
    }

    @Override
    public long reportedNanos() {
        checkCaller();
        return reportedNanos;
    }

    @Override
    public Fault fault(int index) {
        checkCaller();
        return faults.fault(device.id(), index);
    }

    @Override
    public List<Fault> faults() {
        checkCaller();
        List<Fault> all = new ArrayList<>(faults.size());
        for (int i = 0; i < faults.size(); i++) {
            all.add(faults.fault(device.id(), i));
        }
        return Collections.unmodifiableList(all);
    }

    // PageResponse: read by the backend during sendPageResponse

    @Override
    public ResponseCode code() {
        checkCaller();
        return code;
    }

    @Override
    public boolean needsPasid() {
        checkCaller();
        return hasPasid() && (faults.lastFlags() & PageRequest.FLAG_RESPONSE_NEEDS_PASID) != 0;
    }

    @Override
    public long privateData0() {
        checkCaller();
        return faults.privateData0(faults.size() - 1);
    }

    @Override
    public long privateData1() {
        checkCaller();
        return faults.privateData1(faults.size() - 1);
    }

    @Override
    public String toString() {
        return (faults.recoverable() ? "page request group 0x" + Integer.toHexString(faults.groupId())
                : "unrecoverable fault") + " of " + device.id() + " (pasid " + Pasid.format(faults.lastPasid()) + ", "
                + faults.size() + " fault(s))";
    }
}
