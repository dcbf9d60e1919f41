package dev.faultline.core.internal.report;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.answer.AnswerableGroup;
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.answer.InlineSlots;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.count.AnswerTimer;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.dispatch.GroupDispatcher;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
import dev.faultline.core.internal.group.PartialBudget;
import dev.faultline.core.internal.group.PartialList;
import dev.faultline.core.internal.log.HostLog;
import dev.faultline.core.internal.route.Attachment;
import dev.faultline.core.internal.route.DeviceRoute;
import dev.faultline.core.internal.route.HandlerIndex;
import dev.faultline.core.internal.route.PasidMap;
import dev.faultline.core.log.RateLimiter;
import java.util.Objects;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The core's state for one device (Linux's {@code iommu_fault_param}): its attachments, its parked partial
 * requests, its handler route and counters. {@link #reportPageRequest} reads as the steps of
 * {@code iommu_report_device_fault}: validate, park a partial, assemble the group, find the handler, dispatch;
 * every failure path still answers a last-page request.
 *
 * <p>What the inline path reads per fault is here, in this one object: whether the device is removed, its
 * PASID-less attachment (which holds its domain's handler), the slot its reporting thread used last, whether it has
 * partials parked at all, and when it times its next answer. It counts an inline group once, when the group is
 * answered ({@link #tally}).
 *
 * <p><b>Size.</b> One class on purpose: the inline path reads one object per fault, so what it reads, and the
 * barriers of a change of owner that write the same fields, live together.
 */
public final class DeviceState implements DevicePort {
    private static final int KNOWN_REQUEST_FLAGS =
            PageRequest.FLAG_PASID_VALID | PageRequest.FLAG_LAST_PAGE | PageRequest.FLAG_RESPONSE_NEEDS_PASID;
    /** {@link AnswerableGroup#untallied()}: the group is counted. */
    public static final int TALLIED = 0;
    /** {@link AnswerableGroup#untallied()}: the group's report and forming are not counted yet. */
    static final int FORM_UNTALLIED = 1;
    /** {@link AnswerableGroup#untallied()}: its report, forming and dispatch are not counted yet. */
    public static final int DISPATCH_UNTALLIED = 2;
    /** At most one group per interval is timed from receipt to answer. */
    static final long TIMING_INTERVAL_NANOS = 1_000_000L;
    private static final long NEVER_TIMED = Long.MIN_VALUE;

    // the inline path's state
    private volatile boolean removed;
    private volatile @Nullable Attachment noPasid;
    private volatile PasidMap<Attachment> byPasid = PasidMap.empty();
    /** The slot this device's reporting thread used last (a miss when another thread reports, or it is busy). */
    private @Nullable InlineGroup lastSlot;
    /** Created when the first partial request is parked: a device that never parks one never reads it. */
    private volatile @Nullable PartialList partials;
    /** The earliest report time of the next group whose answer latency is timed. */
    private long nextTimed = NEVER_TIMED;
    public final Counters counters = new Counters();

    private final DeviceId id;
    private final IommuConnection iommu;
    private final IommuBackend backend;
    // the shared steps of the fault path, held here so that a fault reads them from this object
    private final ReportClock clock;
    private final InlineSlots slots;
    private final GroupDispatcher dispatcher;
    private final AnswerTimer timer;
    private final HostLog log;
    private final DeviceRoute deviceRoute;
    private final HandlerIndex routes;
    private final PartialBudget partialBudget;
    private final OpenGroups open;
    /** Attachments made so far (guarded by this): each attachment's generation. */
    private long attachCount;
    private volatile RateLimiter logLimiter;
    /** The counters of this device under the previous backend instance of its IOMMU, or {@code null}. */
    private volatile @Nullable FaultCounts countsBefore;

    /**
     * Device {@code id} of {@code iommu}: its reports go through {@code path}; it routes through {@code routes},
     * parks partials within {@code partialBudget}, and its changes of owner answer its {@code open} groups.
     */
    DeviceState(DeviceId id, IommuConnection iommu, FaultPath path, HandlerIndex routes, PartialBudget partialBudget,
            OpenGroups open) {
        this.id = id;
        this.iommu = iommu;
        this.backend = iommu.backend();
        this.clock = path.clock();
        this.slots = path.slots();
        this.dispatcher = path.dispatcher();
        this.timer = path.timer();
        this.log = path.log();
        this.routes = routes;
        this.deviceRoute = routes.deviceRoute(id);
        this.partialBudget = partialBudget;
        this.open = open;
        this.logLimiter = log.newLimiter();
    }

    @Override
    public DeviceId id() {
        return id;
    }

    public IommuConnection iommu() {
        return iommu;
    }

    public boolean removed() {
        return removed;
    }

    public RateLimiter logLimiter() {
        return logLimiter;
    }

    /** Starts a fresh log rate limit with the current {@code log.burst} and {@code log.interval.ms}. */
    void resetLogLimiter() {
        logLimiter = log.newLimiter();
    }

    /** Partial requests parked now. */
    public int parkedPartials() {
        PartialList p = partials;
        return p == null ? 0 : p.count();
    }

    @Override
    public void attach(int pasid, Domain domain) {
        Pasid.requireValidOrNone(pasid);
        Objects.requireNonNull(domain, "domain");
        Attachment old;
        synchronized (this) {
            if (removed) {
                throw new IllegalStateException("device " + id + " was removed");
            }
            old = ownerAt(pasid);
            Attachment a = routes.attach(domain, ++attachCount);
            if (pasid == Pasid.NONE) {
                noPasid = a;
            } else {
                byPasid = byPasid.with(pasid, a);
            }
        }
        ownerChanged(pasid, old);
    }

    @Override
    public void detach(int pasid) {
        Attachment old;
        synchronized (this) {
            old = ownerAt(pasid);
            if (pasid == Pasid.NONE) {
                noPasid = null;
            } else {
                byPasid = byPasid.without(pasid);
            }
        }
        ownerChanged(pasid, old);
    }

    /** The attachment made at exactly {@code pasid} (no fallback), or {@code null}. */
    private @Nullable Attachment ownerAt(int pasid) {
        return pasid == Pasid.NONE ? noPasid : byPasid.get(pasid);
    }

    /**
     * The barrier of a change of owner at {@code (this, pasid)}, run before attach or detach returns: the old
     * attachment is retired (its owner's later answers are stale), the partials of the affected PASIDs are
     * discarded, and every group formed under the old owner and not yet answered is answered INVALID, held or
     * in a handler call. A change at {@code Pasid.NONE} also covers the PASIDs that fell back to the old
     * PASID-less attachment (nested). Groups of other PASIDs are untouched.
     */
    private void ownerChanged(int pasid, @Nullable Attachment old) {
        if (old != null) {
            old.retire();
        }
        IntPredicate affected;
        GroupFilter which;
        if (pasid == Pasid.NONE) {
            PasidMap<Attachment> own = byPasid;
            affected = p -> p == Pasid.NONE || (old != null && own.get(p) == null);
            which = (p, a) -> p == Pasid.NONE || (old != null && a == old);
        } else {
            affected = p -> p == pasid;
            which = (p, a) -> p == pasid;
        }
        PartialList p = partials;
        if (p != null) {
            counters.add(Counter.DISCARDED_PARTIAL, p.discard(affected));
        }
        open.answerForChangeOfOwner(this, which, Counter.ANSWERED_AT_DETACH);
    }

    /** What a group answered on behalf of its gone owner counts as. */
    public Counter barrierReason() {
        return removed ? Counter.ANSWERED_AT_REMOVAL : Counter.ANSWERED_AT_DETACH;
    }

    /** Continues the counters of this device as they were under the previous backend instance of its IOMMU. */
    void continueFrom(FaultCounts previous) {
        countsBefore = previous;
    }

    /** The counters carried from the previous backend instance, or {@code null}. */
    public @Nullable FaultCounts countsBefore() {
        return countsBefore;
    }

    /** This device's attachments, to carry over to the next backend instance of its IOMMU. */
    synchronized CarriedAttachments attachments() {
        return new CarriedAttachments(noPasid, byPasid);
    }

    /**
     * Restores attachments carried over from the previous backend instance of this IOMMU: the same domains, as
     * new attachments (the old ones were retired when the previous instance left, with the groups formed under
     * them).
     */
    synchronized void restore(CarriedAttachments carried) {
        if (!removed) {
            Attachment rid = carried.noPasid();
            noPasid = rid == null ? null : rid.renewed(++attachCount);
            PasidMap<Attachment> fresh = PasidMap.empty();
            for (int pasid : carried.byPasid().keys()) {
                fresh = fresh.with(pasid, carried.byPasid().get(pasid).renewed(++attachCount));
            }
            byPasid = fresh;
        }
    }

    /** The domain attached at {@code (this, pasid)}, with Linux's fallback to a nested PASID-less attachment. */
    @Nullable Attachment attachmentFor(int pasid) {
        Attachment rid = noPasid;
        if (pasid == Pasid.NONE) {
            return rid;
        }
        Attachment a = byPasid.get(pasid);
        if (a == null && rid != null && rid.domain().guestOwned()) {
            return rid;
        }
        return a;
    }

    /** Whether a fault with {@code pasid} belongs to a guest (never printed by the host). */
    public boolean guestOwned(int pasid) {
        Attachment a = attachmentFor(pasid);
        return a != null && a.domain().guestOwned();
    }

    /**
     * The handler of a fault with {@code pasid} ({@link dev.faultline.api.handler.HandlerProperties} routing): the
     * attached domain's handler, else one registered for the device, except for a guest-owned domain.
     */
    public @Nullable Handler route(int pasid, @Nullable Attachment a) {
        if (a == null) {
            return deviceRoute.handlerFor(pasid);
        }
        Handler h = a.handler();
        if (h != null || a.domain().guestOwned()) {
            // a guest's fault goes to its domain's handler (the guest's vIOMMU) or to nobody, never to the host
            return h;
        }
        return deviceRoute.handlerFor(pasid);
    }

    @Override
    public ReportOutcome reportPageRequest(int pasid, int groupId, int flags, Permissions permissions, long address,
            long privateData0, long privateData1) {
        long now = clock.stamp();
        String problem = removed ? "device removed" : requestProblem(pasid, groupId, flags, permissions);
        if (problem != null) {
            counters.increment(Counter.REPORTED);
            return reject(problem, new PageRequestFields(pasid, groupId, flags, permissions, address, privateData0,
                    privateData1), now);
        }
        if ((flags & PageRequest.FLAG_LAST_PAGE) == 0) {
            counters.increment(Counter.REPORTED);
            return park(pasid, groupId, flags, permissions, address, privateData0, privateData1);
        }
        InlineGroup g = slot();
        FaultBuffer group = g.buffer();
        group.startGroup(groupId);
        PartialList p = partials;
        if (p != null) {
            p.moveGroupInto(groupId, pasid, group);
        }
        group.append(pasid, flags, permissions, address, privateData0, privateData1);
        g.untallied(FORM_UNTALLIED);
        Attachment a = attachmentFor(pasid);
        g.formedUnder(a);
        try {
            return dispatcher.dispatch(this, g, route(pasid, a), now);
        } finally {
            tally(g);
        }
    }

    @Override
    public ReportOutcome reportUnrecoverable(int flags, int pasid, Permissions permissions, long address,
            long fetchAddress, HardwareRecord record) {
        counters.increment(Counter.REPORTED);
        long now = clock.stamp();
        String problem = removed ? "device removed" : unrecoverableProblem(pasid, flags, permissions, address,
                fetchAddress, record);
        if (problem != null) {
            counters.increment(Counter.REJECTED);
            if (!removed) {
                log.rejected(this, pasid, problem);
            }
            return ReportOutcome.REJECTED;
        }
        InlineGroup g = slot();
        g.buffer().setUnrecoverable(pasid, flags, permissions, address, fetchAddress, record);
        Attachment a = attachmentFor(pasid);
        g.formedUnder(a);
        return dispatcher.dispatch(this, g, route(pasid, a), now);
    }

    /**
     * The reporting thread's idle group slot: the one it used last for this device, else its own (looked up once
     * per thread change), else a fresh one for a report made from inside a handler call.
     */
    private InlineGroup slot() {
        InlineGroup own = lastSlot;
        if (own == null || own.owner != Thread.currentThread()) {
            own = slots.own();
            lastSlot = own;
        }
        return own.idle() ? own : slots.nested();
    }

    private ReportOutcome park(int pasid, int groupId, int flags, Permissions permissions, long address,
            long privateData0, long privateData1) {
        PartialList p = partialList();
        int parked = p.park(pasid, groupId, flags, permissions, address, privateData0, privateData1);
        if (parked != PartialList.DROPPED) {
            counters.increment(Counter.PARKED);
            if (parked == PartialList.PARKED_BESIDE_ANOTHER_PASID) {
                counters.increment(Counter.MIXED_PASID);
                log.mixedPasid(this, pasid, groupId);
            }
            if (removed) {
                counters.add(Counter.DISCARDED_PARTIAL, p.discard());
            }
            return ReportOutcome.PARKED;
        }
        counters.increment(Counter.DROPPED_PARTIAL);
        log.partialDropped(this, pasid, groupId, p.boundReached());
        return ReportOutcome.DROPPED_PARTIAL;
    }

    private PartialList partialList() {
        PartialList p = partials;
        if (p == null) {
            synchronized (this) {
                p = partials;
                if (p == null) {
                    p = new PartialList(partialBudget);
                    partials = p;
                }
            }
        }
        return p;
    }

    /**
     * Counts a bad report (logged unless its device is gone: the attachments that say whether it belonged to a
     * guest are gone too); a last-page request is still answered INVALID, from its own values.
     */
    private ReportOutcome reject(String problem, PageRequestFields request, long now) {
        counters.increment(Counter.REJECTED);
        if (!removed) {
            log.rejected(this, request.pasid(), problem);
        }
        if ((request.flags() & PageRequest.FLAG_LAST_PAGE) != 0) {
            InlineGroup g = slot();
            g.buffer().startGroup(request.groupId());
            g.buffer().append(request.pasid(), request.flags() & KNOWN_REQUEST_FLAGS,
                    request.permissions() == null ? Permissions.NONE : request.permissions(), request.address(),
                    request.privateData0(), request.privateData1());
            counters.increment(Counter.GROUPS);
            g.open(this, null, now);
            g.answerBy(ResponseCode.INVALID, null);
            g.release();
        }
        return ReportOutcome.REJECTED;
    }

    private static @Nullable String requestProblem(int pasid, int groupId, int flags,
            @Nullable Permissions permissions) {
        if ((flags & ~KNOWN_REQUEST_FLAGS) != 0) {
            return "page request flags 0x" + Integer.toHexString(flags) + " have undefined bits";
        }
        if (pasid != Pasid.NONE && !Pasid.isValid(pasid)) {
            return "PASID 0x" + Integer.toHexString(pasid) + " is outside [0, 0xfffff]";
        }
        if ((flags & PageRequest.FLAG_PASID_VALID) != 0 && pasid == Pasid.NONE) {
            return "PASID_VALID set without a PASID";
        }
        if ((flags & PageRequest.FLAG_RESPONSE_NEEDS_PASID) != 0 && pasid == Pasid.NONE) {
            return "response needs a PASID but the page request carries none";
        }
        if (groupId < 0) {
            return "page request group id " + groupId + " is negative";
        }
        if (permissions == null) {
            return "page request without permissions";
        }
        return null;
    }

    private static @Nullable String unrecoverableProblem(int pasid, int flags, @Nullable Permissions permissions,
            long address, long fetchAddress, @Nullable HardwareRecord record) {
        if (permissions == null || record == null) {
            return "unrecoverable fault without " + (permissions == null ? "permissions" : "record");
        }
        try {
            UnrecoverableFault.check(flags, pasid, address, fetchAddress);
            return null;
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    /**
     * When a group received {@code now} is timed from, read from the ticker: at most one group per
     * {@link #TIMING_INTERVAL_NANOS} (so the clock reads stay off the fault path); {@link AnswerableGroup#UNTIMED}
     * for the others. The decision compares the report's stamp with a field of this object, which the inline path
     * reads anyway. Called by the thread that reports the device's faults.
     */
    public long timeAnswer(long now) {
        long next = nextTimed;
        if (next != NEVER_TIMED && now - next < 0) {
            return AnswerableGroup.UNTIMED;
        }
        nextTimed = now + TIMING_INTERVAL_NANOS;
        return timer.start();
    }

    /** Records the answer latency of a group timed from {@code since}, for the core and, if given, its handler. */
    public void answerTimed(long since, @Nullable Handler handler) {
        timer.stop(since, handler == null ? null : handler.latency);
    }

    /** Counts {@code counter} for this device and, if given, its handler. */
    public void count(Counter counter, @Nullable Handler handler) {
        counters.increment(counter);
        if (handler != null) {
            handler.counters.increment(counter);
        }
    }

    /**
     * Counts the dispatch of {@code group} to {@code handler} ({@code DISPATCHED}, or {@code DELIVERED} for an
     * unrecoverable fault): for the device, a group formed on the inline path leaves it to its answer.
     */
    public void countDispatched(AnswerableGroup group, Handler handler) {
        if (group.untallied() == FORM_UNTALLIED) {
            group.untallied(DISPATCH_UNTALLIED);
            handler.counters.increment(Counter.DISPATCHED);
            return;
        }
        count(group.recoverable() ? Counter.DISPATCHED : Counter.DELIVERED, handler);
    }

    /**
     * Counts what the reporting thread left uncounted of a group whose answer did not count it (the handler
     * deferred it, it was queued or held for a replacement, nobody served it): its report and forming, and its
     * dispatch if it had one. Called on the reporting thread once the group left its slot.
     */
    private void tally(AnswerableGroup g) {
        int owed = g.untallied();
        if (owed == TALLIED) {
            return;
        }
        g.untallied(TALLIED);
        counters.increment(Counter.REPORTED);
        counters.increment(Counter.GROUPS);
        if (owed == DISPATCH_UNTALLIED) {
            counters.increment(Counter.DISPATCHED);
        }
    }

    /**
     * Sends a group's answer to the backend (called once per group), counting it: on the inline path, with what its
     * reporting thread left uncounted, in one increment for the device (and one for the handler).
     */
    public void sendResponse(AnswerableGroup group, ResponseCode code, @Nullable Handler handler) {
        if (group.untallied() == DISPATCH_UNTALLIED) {
            group.untallied(TALLIED);
            counters.countAnsweredGroup(code);
            if (handler != null) {
                handler.counters.increment(Counter.answered(code));
            }
        } else {
            count(Counter.answered(code), handler);
        }
        // a device that is not removed belongs to an open IOMMU (closing one removes its devices first)
        if (removed && !iommu.acceptsResponses()) {
            count(Counter.LOST_RESPONSES, handler);
            log.responseLost(this, "IOMMU " + iommu.name() + " is disconnected", null);
            return;
        }
        try {
            backend.sendPageResponse(id, group);
        } catch (Throwable t) {
            count(Counter.LOST_RESPONSES, handler);
            log.responseLost(this, "backend " + iommu.name() + " threw", t);
        }
    }

    /** Drops every parked partial request (after a queue overflow). */
    void discardPartials() {
        PartialList p = partials;
        if (p != null) {
            counters.add(Counter.DISCARDED_PARTIAL, p.discard());
        }
    }

    @Override
    public void remove() {
        synchronized (this) {
            if (removed) {
                return;
            }
            removed = true;
            Attachment rid = noPasid;
            if (rid != null) {
                rid.retire();
            }
            byPasid.forEach((pasid, a) -> a.retire());
            noPasid = null;
            byPasid = PasidMap.empty();
        }
        discardPartials();
        open.answerForChangeOfOwner(this, GroupFilter.ALL, Counter.ANSWERED_AT_REMOVAL);
        iommu.forget(this);
    }

    @Override
    public String toString() {
        return "device " + id + " on " + iommu.name();
    }
}
