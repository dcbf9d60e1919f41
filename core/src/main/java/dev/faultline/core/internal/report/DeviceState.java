package dev.faultline.core.internal.report;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.Core;
import dev.faultline.core.internal.answer.AnswerableGroup;
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.InlineGroup;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.group.FaultBuffer;
import dev.faultline.core.internal.group.PartialList;
import dev.faultline.core.internal.route.Attachment;
import dev.faultline.core.internal.route.DeviceRoute;
import dev.faultline.core.internal.route.DomainRoute;
import dev.faultline.core.internal.route.PasidMap;
import dev.faultline.core.log.RateLimiter;
import java.util.Objects;
import java.util.function.IntPredicate;

/**
 * The core's state for one device (Linux's {@code iommu_fault_param}): its attachments, its parked partial
 * requests, its handler route and counters. {@link #reportPageRequest} reads as the steps of
 * {@code iommu_report_device_fault}: validate, park a partial, assemble the group, find the handler, dispatch;
 * every failure path still answers a last-page request.
 */
public final class DeviceState implements DevicePort {
    private static final int KNOWN_REQUEST_FLAGS =
            PageRequest.FLAG_PASID_VALID | PageRequest.FLAG_LAST_PAGE | PageRequest.FLAG_RESPONSE_NEEDS_PASID;

    public final Counters counters = new Counters();
    public final PartialList partials;
    private final DeviceId id;
    private final IommuConnection iommu;
    private final Core pipeline;
    private final DeviceRoute deviceRoute;
    private volatile Attachment noPasid;
    private volatile PasidMap<Attachment> byPasid = PasidMap.empty();
    private volatile boolean removed;
    /** Attachments made so far (guarded by this): each attachment's generation. */
    private long attachCount;
    private volatile RateLimiter logLimiter;
    /** The counters of this device under the previous backend instance of its IOMMU, or {@code null}. */
    private volatile FaultCounts countsBefore;
    /** The earliest report time of the next group whose answer latency is timed. */
    private long nextTimed = NEVER_TIMED;
    /** At most one group per interval is timed from receipt to answer. */
    static final long TIMING_INTERVAL_NANOS = 1_000_000L;
    private static final long NEVER_TIMED = Long.MIN_VALUE;

    DeviceState(DeviceId id, IommuConnection iommu, Core pipeline) {
        this.id = id;
        this.iommu = iommu;
        this.pipeline = pipeline;
        this.partials = new PartialList(pipeline.partialBudget());
        this.deviceRoute = pipeline.index().deviceRoute(id);
        resetLogLimiter(pipeline.settings());
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

    public void resetLogLimiter(Settings s) {
        logLimiter = new RateLimiter(s.logBurst(), s.logIntervalNanos(), pipeline.ticker()::nanoTime);
    }

    @Override
    public void attach(int pasid, Domain domain) {
        Pasid.requireValidOrNone(pasid);
        Objects.requireNonNull(domain, "domain");
        DomainRoute route = pipeline.index().domainRoute(domain);
        Attachment old;
        synchronized (this) {
            if (removed) {
                throw new IllegalStateException("device " + id + " was removed");
            }
            old = ownerAt(pasid);
            Attachment a = new Attachment(domain, route, ++attachCount);
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
    private Attachment ownerAt(int pasid) {
        return pasid == Pasid.NONE ? noPasid : byPasid.get(pasid);
    }

    /**
     * The barrier of a change of owner at {@code (this, pasid)}, run before attach or detach returns: the old
     * attachment is retired (its owner's later answers are stale), the partials of the affected PASIDs are
     * discarded, and every group formed under the old owner and not yet answered is answered INVALID, held or
     * in a handler call. A change at {@code Pasid.NONE} also covers the PASIDs that fell back to the old
     * PASID-less attachment (nested). Groups of other PASIDs are untouched.
     */
    private void ownerChanged(int pasid, Attachment old) {
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
        counters.add(Counter.DISCARDED_PARTIAL, partials.discard(affected));
        pipeline.answerForChangeOfOwner(this, which, Counter.ANSWERED_AT_DETACH);
    }

    /** What a group answered on behalf of its gone owner counts as. */
    public Counter barrierReason() {
        return removed ? Counter.ANSWERED_AT_REMOVAL : Counter.ANSWERED_AT_DETACH;
    }

    /** This device's attachments, to carry over to the next backend instance of its IOMMU. */
    /** Continues the counters of this device as they were under the previous backend instance of its IOMMU. */
    void continueFrom(FaultCounts previous) {
        countsBefore = previous;
    }

    /** The counters carried from the previous backend instance, or {@code null}. */
    public FaultCounts countsBefore() {
        return countsBefore;
    }

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
            noPasid = rid == null ? null : renewed(rid);
            PasidMap<Attachment> fresh = PasidMap.empty();
            for (int pasid : carried.byPasid().keys()) {
                fresh = fresh.with(pasid, renewed(carried.byPasid().get(pasid)));
            }
            byPasid = fresh;
        }
    }

    private Attachment renewed(Attachment a) {
        return new Attachment(a.domain(), a.route(), ++attachCount);
    }

    /** The domain attached at {@code (this, pasid)}, with Linux's fallback to a nested PASID-less attachment. */
    Attachment attachmentFor(int pasid) {
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
    public Handler route(int pasid, Attachment a) {
        if (a == null) {
            return deviceRoute.handlerFor(pasid);
        }
        Handler h = a.route().current();
        if (h != null || a.domain().guestOwned()) {
            // a guest's fault goes to its domain's handler (the guest's vIOMMU) or to nobody, never to the host
            return h;
        }
        return deviceRoute.handlerFor(pasid);
    }

    @Override
    public ReportOutcome reportPageRequest(int pasid, int groupId, int flags, Permissions permissions, long address,
            long privateData0, long privateData1) {
        counters.increment(Counter.REPORTED);
        long now = pipeline.clock().stamp();
        boolean last = (flags & PageRequest.FLAG_LAST_PAGE) != 0;
        String problem = removed ? "device removed" : requestProblem(pasid, groupId, flags, permissions);
        if (problem != null) {
            return reject(problem, new PageRequestFields(pasid, groupId, flags, permissions, address, privateData0,
                    privateData1), now);
        }
        if (!last) {
            return park(pasid, groupId, flags, permissions, address, privateData0, privateData1);
        }
        InlineGroup g = pipeline.slots().acquire(iommu.slotCache);
        FaultBuffer group = g.buffer();
        group.startGroup(groupId);
        partials.moveGroupInto(groupId, pasid, group);
        group.append(pasid, flags, permissions, address, privateData0, privateData1);
        counters.increment(Counter.GROUPS);
        Attachment a = attachmentFor(pasid);
        g.formedUnder(a);
        return pipeline.dispatcher().dispatch(this, g, route(pasid, a), now);
    }

    @Override
    public ReportOutcome reportUnrecoverable(int flags, int pasid, Permissions permissions, long address,
            long fetchAddress, HardwareRecord record) {
        counters.increment(Counter.REPORTED);
        long now = pipeline.clock().stamp();
        String problem = removed ? "device removed" : unrecoverableProblem(pasid, flags, permissions, address,
                fetchAddress, record);
        if (problem != null) {
            counters.increment(Counter.REJECTED);
            if (!removed) {
                pipeline.log().rejected(this, pasid, problem);
            }
            return ReportOutcome.REJECTED;
        }
        InlineGroup g = pipeline.slots().acquire(iommu.slotCache);
        g.buffer().setUnrecoverable(pasid, flags, permissions, address, fetchAddress, record);
        Attachment a = attachmentFor(pasid);
        g.formedUnder(a);
        return pipeline.dispatcher().dispatch(this, g, route(pasid, a), now);
    }

    private ReportOutcome park(int pasid, int groupId, int flags, Permissions permissions, long address,
            long privateData0, long privateData1) {
        Settings s = pipeline.settings();
        int parked = partials.park(s.partialsPerDevice(), pasid, groupId, flags, permissions, address, privateData0,
                privateData1);
        if (parked != PartialList.DROPPED) {
            counters.increment(Counter.PARKED);
            if (parked == PartialList.PARKED_BESIDE_ANOTHER_PASID) {
                counters.increment(Counter.MIXED_PASID);
                pipeline.log().mixedPasid(this, pasid, groupId);
            }
            if (removed) {
                counters.add(Counter.DISCARDED_PARTIAL, partials.discard());
            }
            return ReportOutcome.PARKED;
        }
        counters.increment(Counter.DROPPED_PARTIAL);
        pipeline.log().partialDropped(this, pasid, groupId, partials.count() >= s.partialsPerDevice()
                ? "partials.per.device (" + s.partialsPerDevice() + ")"
                : "partials.total (" + s.partialsTotal() + ")");
        return ReportOutcome.DROPPED_PARTIAL;
    }

    /**
     * Counts a bad report (logged unless its device is gone: the attachments that say whether it belonged to a
     * guest are gone too); a last-page request is still answered INVALID, from its own values.
     */
    private ReportOutcome reject(String problem, PageRequestFields request, long now) {
        counters.increment(Counter.REJECTED);
        if (!removed) {
            pipeline.log().rejected(this, request.pasid(), problem);
        }
        if ((request.flags() & PageRequest.FLAG_LAST_PAGE) != 0) {
            InlineGroup g = pipeline.slots().acquire(iommu.slotCache);
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

    private static String requestProblem(int pasid, int groupId, int flags, Permissions permissions) {
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

    private static String unrecoverableProblem(int pasid, int flags, Permissions permissions, long address,
            long fetchAddress, HardwareRecord record) {
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
     * for the others. Called by the thread that reports the device's faults.
     */
    public long timeAnswer(long now) {
        if (nextTimed != NEVER_TIMED && now - nextTimed < 0) {
            return AnswerableGroup.UNTIMED;
        }
        nextTimed = now + TIMING_INTERVAL_NANOS;
        return pipeline.ticker().nanoTime();
    }

    /** Records the answer latency of a group timed from {@code since}, for the core and, if given, its handler. */
    public void answerTimed(long since, Handler handler) {
        long nanos = pipeline.ticker().nanoTime() - since;
        pipeline.latency.record(nanos);
        if (handler != null) {
            handler.latency.record(nanos);
        }
    }

    /** Counts {@code counter} for this device and, if given, its handler. */
    public void count(Counter counter, Handler handler) {
        counters.increment(counter);
        if (handler != null) {
            handler.counters.increment(counter);
        }
    }

    /** Sends a group's answer to the backend (called once per group), counting it. */
    public void sendResponse(AnswerableGroup group, ResponseCode code, Handler handler) {
        count(Counter.answered(code), handler);
        if (!iommu.acceptsResponses()) {
            count(Counter.LOST_RESPONSES, handler);
            pipeline.log().responseLost(this, "IOMMU " + iommu.name() + " is disconnected", null);
            return;
        }
        try {
            iommu.backend().sendPageResponse(id, group);
        } catch (Throwable t) {
            count(Counter.LOST_RESPONSES, handler);
            pipeline.log().responseLost(this, "backend " + iommu.name() + " threw", t);
        }
    }

    /** Drops every parked partial request (after a queue overflow). */
    void discardPartials() {
        counters.add(Counter.DISCARDED_PARTIAL, partials.discard());
    }

    @Override
    public void remove() {
        synchronized (this) {
            if (removed) {
                return;
            }
            removed = true;
            if (noPasid != null) {
                noPasid.retire();
            }
            byPasid.forEach((pasid, a) -> a.retire());
            noPasid = null;
            byPasid = PasidMap.empty();
        }
        discardPartials();
        pipeline.answerForChangeOfOwner(this, GroupFilter.ALL, Counter.ANSWERED_AT_REMOVAL);
        iommu.forget(this);
        pipeline.forget(this);
    }

    @Override
    public String toString() {
        return "device " + id + " on " + iommu.name();
    }
}
