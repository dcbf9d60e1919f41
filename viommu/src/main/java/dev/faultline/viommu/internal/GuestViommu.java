package dev.faultline.viommu.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.FaultReason;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.Stage1Context;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.UnresolvedFault;
import dev.faultline.viommu.VirtualIommu;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * One guest's virtual IOMMU, and the {@link FaultHandler} of its nested domains.
 *
 * <p><b>Fault path</b> ({@link #handle}): under the guest's own lock, a fault is admitted (guest open, device
 * known, a token left, room in the queue and, for a page request group, in the cookie table) or dropped; a
 * drop is counted and marked in the queue, costs no allocation and no walk, and a dropped group is answered
 * INVALID, after the lock is released. An admitted group is deferred and queued with a cookie; an admitted
 * unrecoverable fault is diagnosed by walking the guest's stage-1 table and queued with its virtual record,
 * built from permissions, address, PASID and that walk ({@link VirtualRecords#permissionsOnly}) unless the
 * guest asked for raw records.
 * Nothing is printed.
 *
 * <p><b>Locking.</b> One lock per guest guards its queue, cookie table, devices and rate limiter; no lock is
 * shared between guests. Group answers ({@link DeferredGroup#respond}, which reach the backend) are always
 * sent after the lock is released.
 *
 * <p><b>Size.</b> One class because admission, queueing and answers share the guest's one lock and its cookie table;
 * the walk, the records and the rate limiter are their own classes.
 */
final class GuestViommu implements VirtualIommu, FaultHandler {
    private final String name;
    private final Set<String> domains;
    private final GuestMemory memory;
    private final GuestLimits limits;
    private final Consumer<GuestViommu> onClose;
    private final Object lock = new Object();
    private final GuestEventQueue queue;
    private final PendingGroups pending;
    private final TokenBucket bucket;
    private final Map<DeviceId, VirtualDevice> devices = new HashMap<>();
    private final Map<Integer, VirtualDevice> byVirtualId = new HashMap<>();
    private final GuestCounters counters = new GuestCounters();
    private boolean closed;
    /** Threads waiting in {@link #poll(int, long, TimeUnit)}; guarded by the lock. */
    private int waiters;

    /**
     * A guest's vIOMMU.
     *
     * @param clock nanosecond clock of the rate limiter
     * @param onClose told once, after {@link #close()} answered the guest's groups
     */
    GuestViommu(String name, Set<String> domains, GuestMemory memory, GuestLimits limits, LongSupplier clock,
            Consumer<GuestViommu> onClose) {
        this(name, domains, memory, limits, clock, onClose, new GuestEventQueue(limits.eventQueueDepth()),
                new PendingGroups(limits.maxPendingGroups()));
    }

    GuestViommu(String name, Set<String> domains, GuestMemory memory, GuestLimits limits, LongSupplier clock,
            Consumer<GuestViommu> onClose, GuestEventQueue queue, PendingGroups pending) {
        this.name = Objects.requireNonNull(name, "name");
        this.domains = Set.copyOf(domains);
        this.memory = Objects.requireNonNull(memory, "memory");
        this.limits = Objects.requireNonNull(limits, "limits");
        this.onClose = Objects.requireNonNull(onClose, "onClose");
        this.queue = queue;
        this.pending = pending;
        this.bucket = new TokenBucket(limits.eventsPerSecond(), limits.burst(), clock);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Set<String> domains() {
        return domains;
    }

    @Override
    public GuestLimits limits() {
        return limits;
    }

    // ---- fault path -------------------------------------------------------------------------------------

    @Override
    public void handle(FaultGroup group) {
        counters.routed.incrementAndGet();
        if (!group.recoverable()) {
            deliverUnrecoverable(group);
        } else if (!deliverPageRequests(group) && group.respond(ResponseCode.INVALID)) {
            counters.answeredForGuest.incrementAndGet();
        }
    }

    /** Queues a page request group; false if it was dropped and must be answered INVALID. */
    private boolean deliverPageRequests(FaultGroup group) {
        synchronized (lock) {
            VirtualDevice device = admit(group);
            if (device == null) {
                return false;
            }
            if (!pending.hasRoom()) {
                lose(counters.pendingFull);
                return false;
            }
            DeferredGroup deferred = group.defer();
            PendingGroups.Entry entry = pending.add(deferred, group.device());
            queue.add(new PageRequestEvent(queue.takeSequence(), entry.cookie, device.virtualId,
                    guestRequests(deferred.faults())));
            counters.pageRequestGroups.incrementAndGet();
            wakeWaiters();
            return true;
        }
    }

    private void deliverUnrecoverable(FaultGroup group) {
        synchronized (lock) {
            VirtualDevice device = admit(group);
            if (device == null) {
                return;
            }
            int pasid = group.pasid();
            Permissions permissions = group.permissions(0);
            boolean addressValid = group.addressValid();
            long address = addressValid ? group.address(0) : 0;
            Stage1Context context = device.context(pasid);
            FaultReason reason;
            long failedDescriptor = -1;
            if (context == null) {
                reason = UnresolvedFault.NO_STAGE1_CONTEXT;
            } else if (!addressValid) {
                reason = UnresolvedFault.NO_ADDRESS;
            } else {
                Stage1Walk walk = GuestTableWalker.walk(memory, context, pasid, address, permissions);
                reason = GuestTableWalker.reason(walk);
                if (walk instanceof Stage1Walk.Failed failed) {
                    failedDescriptor = failed.descriptorAddress();
                }
            }
            if (reason == UnresolvedFault.WALK_SUCCEEDS) {
                counters.staleWalks.incrementAndGet();
            }
            HardwareRecord host = group.hardwareRecord();
            int hostCode = VirtualRecords.hostCode(host);
            if (hostCode >= 0 && hostCode != reason.code()) {
                counters.reasonDisagreements.incrementAndGet();
            }
            HardwareRecord record = limits.rawRecords()
                    ? VirtualRecords.raw(host, context, device.virtualId, pasid, permissions, addressValid, address,
                            reason, failedDescriptor)
                    : VirtualRecords.permissionsOnly(context, device.virtualId, pasid, permissions, addressValid,
                            address, reason, failedDescriptor);
            queue.add(new UnrecoverableEvent(queue.takeSequence(), device.virtualId, pasid, permissions,
                    addressValid, address, reason, record));
            counters.unrecoverable.incrementAndGet();
            wakeWaiters();
        }
    }

    /**
     * The checks every fault passes, cheapest first: open guest, known device, a token, room in the queue.
     * Returns the device, or null after counting the drop. Caller holds the lock.
     */
    private VirtualDevice admit(FaultGroup group) {
        if (closed) {
            counters.droppedClosed.incrementAndGet();
            return null;
        }
        VirtualDevice device = devices.get(group.device());
        if (device == null) {
            counters.droppedUnknownDevice.incrementAndGet();
            return null;
        }
        if (!bucket.tryTake()) {
            lose(counters.rateLimited);
            return null;
        }
        if (queue.full()) {
            lose(counters.queueFull);
            return null;
        }
        return device;
    }

    private void lose(AtomicLong cause) {
        cause.incrementAndGet();
        queue.recordLost();
        wakeWaiters();
    }

    /** Wakes the VMM threads waiting for an entry; caller holds the lock. Allocates nothing. */
    private void wakeWaiters() {
        if (waiters > 0) {
            lock.notifyAll();
        }
    }

    private static List<PageRequestEvent.Request> guestRequests(List<Fault> faults) {
        List<PageRequestEvent.Request> out = new ArrayList<>(faults.size());
        for (Fault f : faults) {
            PageRequest r = (PageRequest) f;
            out.add(new PageRequestEvent.Request(r.pasid(), r.groupId(), r.lastPage(), r.permissions(), r.address()));
        }
        return out;
    }

    // ---- the VMM's side ---------------------------------------------------------------------------------

    @Override
    public void addDevice(DeviceId physical, int virtualId) {
        Objects.requireNonNull(physical, "physical");
        synchronized (lock) {
            if (closed) {
                throw new IllegalStateException("guest " + name + " is closed");
            }
            if (devices.containsKey(physical)) {
                throw new IllegalArgumentException(physical + " is already a device of guest " + name);
            }
            if (byVirtualId.containsKey(virtualId)) {
                throw new IllegalArgumentException("virtual device id 0x" + Integer.toHexString(virtualId)
                        + " is already in use in guest " + name);
            }
            VirtualDevice device = new VirtualDevice(physical, virtualId);
            devices.put(physical, device);
            byVirtualId.put(virtualId, device);
        }
    }

    @Override
    public int removeDevice(DeviceId physical) {
        List<PendingGroups.Entry> held;
        synchronized (lock) {
            VirtualDevice device = devices.remove(physical);
            if (device == null) {
                return 0;
            }
            byVirtualId.remove(device.virtualId);
            held = pending.unansweredOf(physical);
        }
        return answerForGuest(held);
    }

    @Override
    public void setStage1(int virtualId, int pasid, Stage1Context context) {
        Objects.requireNonNull(context, "context");
        Pasid.requireValidOrNone(pasid);
        synchronized (lock) {
            VirtualDevice device = virtualDevice(virtualId);
            if (context instanceof FirstLevelContext && (virtualId & ~0xffff) != 0) {
                throw new IllegalArgumentException("virtual device id 0x" + Integer.toHexString(virtualId)
                        + " is wider than a 16-bit requester id, as a VT-d guest needs");
            }
            device.setContext(pasid, context);
        }
    }

    @Override
    public void clearStage1(int virtualId, int pasid) {
        synchronized (lock) {
            VirtualDevice device = byVirtualId.get(virtualId);
            if (device != null) {
                device.clearContext(pasid);
            }
        }
    }

    private VirtualDevice virtualDevice(int virtualId) {
        VirtualDevice device = byVirtualId.get(virtualId);
        if (device == null) {
            throw new IllegalArgumentException("guest " + name + " has no virtual device 0x"
                    + Integer.toHexString(virtualId));
        }
        return device;
    }

    @Override
    public List<GuestEvent> poll(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("poll needs a positive maximum, got " + max);
        }
        synchronized (lock) {
            return queue.poll(max, pending::markDelivered);
        }
    }

    @Override
    public List<GuestEvent> poll(int max, long timeout, TimeUnit unit) throws InterruptedException {
        if (max <= 0) {
            throw new IllegalArgumentException("poll needs a positive maximum, got " + max);
        }
        if (timeout < 0) {
            throw new IllegalArgumentException("poll needs a timeout of at least 0, got " + timeout);
        }
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        synchronized (lock) {
            waiters++;
            try {
                long left = deadline - System.nanoTime();
                while (queue.size() == 0 && !closed && left > 0) {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                    left = deadline - System.nanoTime();
                }
            } finally {
                waiters--;
            }
            return queue.poll(max, pending::markDelivered);
        }
    }

    @Override
    public AnswerOutcome respond(int cookie, int code) {
        DeferredGroup group;
        synchronized (lock) {
            if (closed) {
                return AnswerOutcome.GUEST_CLOSED;
            }
            // iommufd: only SUCCESS and INVALID, checked before the cookie is looked up
            if (code != ResponseCode.SUCCESS.value() && code != ResponseCode.INVALID.value()) {
                counters.invalidCode.incrementAndGet();
                return AnswerOutcome.INVALID_CODE;
            }
            PendingGroups.Entry entry = pending.get(cookie);
            if (entry == null) {
                boolean issued = pending.issued(cookie);
                (issued ? counters.replayed : counters.forged).incrementAndGet();
                return issued ? AnswerOutcome.REPLAYED : AnswerOutcome.FORGED;
            }
            if (!entry.delivered) {
                counters.forged.incrementAndGet();
                return AnswerOutcome.FORGED;
            }
            pending.remove(cookie);
            group = entry.group;
        }
        // a group the host already answered is not offered a second answer (the core would count a duplicate);
        // one answered between this check and the call below is refused by the group itself
        if (!group.answered() && group.respond(ResponseCode.ofValue(code))) {
            counters.accepted.incrementAndGet();
            return AnswerOutcome.ACCEPTED;
        }
        counters.late.incrementAndGet();
        return AnswerOutcome.LATE;
    }

    @Override
    public GuestStatistics statistics() {
        synchronized (lock) {
            return counters.snapshot(queue.size(), pending.size());
        }
    }

    @Override
    public boolean closed() {
        synchronized (lock) {
            return closed;
        }
    }

    @Override
    public void close() {
        List<PendingGroups.Entry> held;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            lock.notifyAll();
            held = pending.clear();
            queue.clear();
            devices.clear();
            byVirtualId.clear();
        }
        answerForGuest(held);
        onClose.accept(this);
    }

    /** Answers INVALID, outside the lock, groups the guest can no longer answer. */
    private int answerForGuest(List<PendingGroups.Entry> held) {
        int answered = 0;
        for (PendingGroups.Entry entry : held) {
            if (entry.group.respond(ResponseCode.INVALID)) {
                answered++;
                counters.answeredForGuest.incrementAndGet();
            }
        }
        return answered;
    }

    @Override
    public String toString() {
        return "guest " + name + " " + domains;
    }
}
