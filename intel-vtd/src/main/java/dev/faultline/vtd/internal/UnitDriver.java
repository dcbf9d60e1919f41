package dev.faultline.vtd.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.DomainType;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.vtd.Capability;
import dev.faultline.platform.vtd.ExtendedCapability;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitInterrupt;
import dev.faultline.vtd.VtdIommu;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The driver of one VT-d remapping unit: Linux's intel/prq.c and the DMA-remapping fault handler of
 * intel/dmar.c, talking to the unit through its registers, tables and queues only.
 *
 * <p><b>Start.</b> Programs (or, when the unit already translates, adopts) the scalable-mode root table, the
 * invalidation queue and the page request queue; connects the unit to the core; on a takeover announces the
 * devices whose context entries are present; then unmasks the fault and page request events and starts the
 * interrupt thread, which drains whatever the previous driver left.
 *
 * <p><b>Responses.</b> {@link #sendPageResponse} writes a page group response and an invalidation wait. The
 * response code is the PCIe one: SUCCESS 0x0, INVALID 0x1, FAILURE 0xF ({@code QI_RESP_*}). Linux's
 * {@code intel_iommu_page_response} writes the generic code raw, so its FAILURE (2) reaches the device as a
 * reserved code (Linux intel/prq.c); this driver sends the Response Failure code the specification defines.
 *
 * <p><b>Stop.</b> Masks the events (the unit latches them in IP for the next driver), stops the interrupt
 * thread after its current pass, closes the core's port (which answers pending groups INVALID through this
 * driver) and leaves translation, tables and queues running and consistent: PQH points past the last
 * descriptor handled, unread fault records stay recorded.
 *
 * <p>Thread-safe.
 */
final class UnitDriver implements IommuBackend, VtdIommu {
    private static final long JOIN_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** Drain passes a teardown makes before it gives up and logs (each pass empties the queue once). */
    private static final int MAX_DRAIN_ROUNDS = 8;
    /** {@code QI_CC_TYPE}: context-cache invalidate; {@code DMA_CCMD_DEVICE_INVL} as its granularity (3). */
    private static final long QI_CC_TYPE = 0x1;
    private static final long QI_CC_DEVICE = 3;
    /** {@code QI_PC_TYPE}: PASID-cache invalidate; granularities {@code QI_PC_PASID_SEL} and {@code QI_PC_GLOBAL}. */
    private static final long QI_PC_TYPE = 0x7;
    private static final long QI_PC_PASID_SEL = 1;
    private static final long QI_PC_GLOBAL = 3;
    /** {@code QI_EIOTLB_TYPE}: PASID-based IOTLB invalidate; {@code QI_GRAN_NONG_PASID} (2). */
    private static final long QI_EIOTLB_TYPE = 0x6;
    private static final long QI_GRAN_NONG_PASID = 2;

    private final RemappingUnit unit;
    private final DmarLog log;
    private final DeviceTable devices;
    private final ContextTables tables;
    private final InvalidationQueue queue;
    private final PageRequestReader pageRequests;
    private final FaultRecordReader faults;
    private final IommuPort port;
    private final int pasidBits;
    private final int domainIdLimit;
    private final Map<String, Integer> domainIds = new HashMap<>();
    private final AtomicBoolean faultEvent = new AtomicBoolean(true);
    private final AtomicBoolean pageRequestEvent = new AtomicBoolean(true);
    /** Held while the fault records and the page request queue are consumed (interrupt thread or teardown). */
    private final QueuePass pass = new QueuePass();
    /** Guards {@link #thread} against a successor started as the driver stops. */
    private final Object successorLock = new Object();
    private volatile Thread thread;
    private int successors;
    /** Runs on each interrupt instead of waking the interrupt thread (a simulation without threads), else null. */
    private final Runnable kicked;
    /** Starts a successor of a held interrupt thread in a simulation without threads, else null. */
    private final Consumer<Runnable> startSuccessor;
    private volatile boolean running;
    private final AtomicLong responsesSent = new AtomicLong();
    private final AtomicLong responsesLost = new AtomicLong();
    private final AtomicLong responsesRefused = new AtomicLong();
    private final AtomicLong pasidDrains = new AtomicLong();
    /** How long a teardown waits for a queue pass a handler call holds up (the invalidation timeout). */
    private final long drainWaitNanos;
    private final boolean tookOver;

    /**
     * Programs or adopts {@code unit} and connects it to {@code pipeline}; call {@link #start()} next.
     *
     * @throws IllegalStateException if the unit lacks scalable mode, first-level translation, queued
     *     invalidation or PASID support, or an IOMMU of its name is already connected
     */
    UnitDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline, DriverSettings settings,
            LogSink sink, LongSupplier ticker) {
        this(unit, allocator, pipeline, settings, sink, ticker, null, null);
    }

    /**
     * A driver whose interrupt threads are its own ({@code kicked} null), or, for a deterministic simulation, a
     * driver without threads: each interrupt (and the start) runs {@code kicked}, and the simulation's scheduler then
     * calls {@link #pass()} where the interrupt thread would run its pass; where a fresh thread would take over the
     * queues from one a handler holds, {@code successor} gets what that thread would run first, and runs it as a
     * thread of the simulation's.
     */
    UnitDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline, DriverSettings settings,
            LogSink sink, LongSupplier ticker, Runnable kicked, Consumer<Runnable> successor) {
        this.kicked = kicked;
        this.startSuccessor = successor;
        this.unit = Objects.requireNonNull(unit, "unit");
        ExtendedCapability ecap = new ExtendedCapability(unit.read64(RegisterMap.ECAP));
        long required = ExtendedCapability.SCALABLE_MODE | ExtendedCapability.FIRST_LEVEL
                | ExtendedCapability.QUEUED_INVALIDATION | ExtendedCapability.PASID;
        if (!ecap.has(required)) {
            throw new IllegalStateException(unit.name() + ": ECAP " + ecap
                    + " lacks scalable mode, first-level translation, queued invalidation or PASID");
        }
        this.log = new DmarLog(sink, settings.logBurst(), settings.logIntervalNanos(), ticker);
        this.devices = new DeviceTable(unit.configuration().segment());
        this.pasidBits = ecap.pasidBits();
        this.domainIdLimit = new Capability(unit.read64(RegisterMap.CAP)).domainIds();
        int gsts = unit.read32(RegisterMap.GSTS);
        long rtaddr = unit.read64(RegisterMap.RTADDR);
        tookOver = (gsts & RegisterMap.GCMD_TE) != 0 && (gsts & RegisterMap.GCMD_SRTP) != 0
                && (rtaddr & RegisterMap.RTADDR_TTM_MASK) == RegisterMap.RTADDR_SMT;
        long root = tookOver ? rtaddr & ~0xfffL : allocator.allocatePage();
        this.tables = new ContextTables(allocator, root, pasidBits, ecap.has(ExtendedCapability.PAGE_REQUESTS),
                ecap.has(ExtendedCapability.DEVICE_TLB));
        this.queue = new InvalidationQueue(unit, allocator, log, ticker, settings.invalidationTimeoutNanos());
        this.drainWaitNanos = settings.invalidationTimeoutNanos();
        if (!tookOver) {
            unit.write64(RegisterMap.RTADDR, root | RegisterMap.RTADDR_SMT);
            unit.write32(RegisterMap.GCMD, persistentCommands() | RegisterMap.GCMD_SRTP);
            awaitStatus(RegisterMap.GCMD_SRTP, ticker, settings.invalidationTimeoutNanos());
            unit.write32(RegisterMap.GCMD, persistentCommands() | RegisterMap.GCMD_TE);
            awaitStatus(RegisterMap.GCMD_TE, ticker, settings.invalidationTimeoutNanos());
        }
        this.pageRequests = new PageRequestReader(unit, allocator, devices, log, this::respond,
                settings.pageRequestQueueOrder(), pass);
        this.faults = new FaultRecordReader(unit, devices, log, pass);
        this.port = pipeline.connect(this);
        if (tookOver) {
            List<Integer> present = tables.presentDevices();
            for (int rid : present) {
                devices.portFor(port, PciRequesterId.ofRid(segment(), rid));
            }
            log.notice("DMAR: " + unit.name() + ": took over a running unit with " + present.size()
                    + " device(s) present");
        }
        if (kicked == null) {
            this.thread = new Thread(this::run, unit.name() + "-prq");
            thread.setDaemon(true);
        }
    }

    /** Unmasks the unit's events and starts the interrupt thread. */
    void start() {
        running = true;
        unit.connectInterrupts(this::interrupt);
        if (kicked == null) {
            thread.start();
        }
        unit.write32(RegisterMap.FECTL, 0);
        unit.write32(RegisterMap.PECTL, 0);
        if (kicked != null) {
            kicked.run();
        }
    }

    /** Quiesces and disconnects, leaving the unit running for the next driver. Idempotent. */
    void stop() {
        if (!running) {
            return;
        }
        unit.write32(RegisterMap.FECTL, RegisterMap.EVENT_IM);
        unit.write32(RegisterMap.PECTL, RegisterMap.EVENT_IM);
        running = false;
        Thread thread;
        synchronized (successorLock) {
            thread = this.thread;
        }
        if (thread == null) {
            port.close();
            unit.disconnectInterrupts();
            return;
        }
        LockSupport.unpark(thread);
        try {
            thread.join(TimeUnit.NANOSECONDS.toMillis(JOIN_NANOS));
            if (thread.isAlive()) {
                log.problem("DMAR: " + unit.name() + ": interrupt thread still busy in a handler; interrupting it");
                thread.interrupt();
                thread.join(TimeUnit.NANOSECONDS.toMillis(JOIN_NANOS));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        port.close();
        unit.disconnectInterrupts();
    }

    /** Whether {@link #start()} found the unit already translating and adopted its tables and queues. */
    boolean tookOver() {
        return tookOver;
    }

    /** A snapshot of the counters. */
    DriverCounters counters() {
        return new DriverCounters(pageRequests.reported, pageRequests.badRequests, pageRequests.stopMarkers,
                pageRequests.overflows, faults.reported, faults.delivered, faults.printed, faults.printSuppressed,
                faults.guestSilenced, faults.hostOwnedGuestFaults, faults.overflows, responsesSent.get(),
                responsesLost.get(), responsesRefused.get(), queue.errors(), pageRequests.reservedDescriptors,
                pasidDrains.get(), pass.abandoned(), pass.blocked(), pass.refused());
    }

    /** The unit and driver as the shell shows them. */
    VtdStatus status() {
        return new VtdStatus(unit.name(), segment(), (unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_TE) != 0,
                tookOver, devices.attachments(), counters(), unit.counters());
    }

    private int persistentCommands() {
        return unit.read32(RegisterMap.GSTS) & (RegisterMap.GCMD_TE | RegisterMap.GCMD_QIE);
    }

    private void awaitStatus(int bit, LongSupplier ticker, long timeoutNanos) {
        long deadline = ticker.getAsLong() + timeoutNanos;
        while ((unit.read32(RegisterMap.GSTS) & bit) == 0) {
            if (ticker.getAsLong() - deadline > 0) {
                throw new IllegalStateException(unit.name() + ": GSTS bit 0x" + Integer.toHexString(bit)
                        + " did not follow GCMD");
            }
            Thread.onSpinWait();
        }
    }

    // ---------------------------------------------------------------- interrupt thread

    private void interrupt(UnitInterrupt interrupt) {
        if (interrupt == UnitInterrupt.FAULT_EVENT) {
            faultEvent.set(true);
        } else if (interrupt == UnitInterrupt.PAGE_REQUEST_EVENT) {
            pageRequestEvent.set(true);
        }
        if (kicked != null) {
            kicked.run();
        } else {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        while (running) {
            int outcome = pass();
            if (outcome == FaultRecordReader.ABANDONED) {
                return; // a handler holds this thread: a successor goes on with the queues
            }
            if (outcome == FaultRecordReader.DONE && running) {
                LockSupport.park(this);
            }
        }
    }

    /**
     * One pass of the interrupt thread over the events latched since the last one (what the thread does when woken;
     * a simulation without threads calls it after {@code kicked}).
     *
     * @return {@link FaultRecordReader#AGAIN} if there was work (the thread looks again at once),
     *     {@link FaultRecordReader#DONE} if none, {@link FaultRecordReader#ABANDONED} if the pass went to a fresh
     *     thread while a handler held this one
     */
    int pass() {
        if (!running) {
            return FaultRecordReader.DONE;
        }
        pass.enter();
        int outcome;
        try {
            outcome = passOverQueues();
        } catch (RuntimeException e) {
            log.problem("DMAR: " + unit.name() + ": interrupt thread: " + e);
            outcome = FaultRecordReader.AGAIN;
        }
        if (outcome != FaultRecordReader.ABANDONED) {
            pass.leave();
        }
        return outcome;
    }

    /**
     * One pass over the fault records and the page request queue, each if its event is pending.
     *
     * @return {@link FaultRecordReader#AGAIN} if there was work, {@link FaultRecordReader#DONE} if none, or
     *     {@link FaultRecordReader#ABANDONED} if the pass went to a fresh thread
     */
    private int passOverQueues() {
        int outcome = FaultRecordReader.DONE;
        if (faultEvent.getAndSet(false)) {
            outcome = FaultRecordReader.AGAIN;
            long overflowsBefore = faults.overflows;
            int drained = faults.drain();
            if (faults.overflows != overflowsBefore) {
                port.reportOverflow(FaultQueue.FAULT_RECORDS); // FSTS.PFO: the hardware dropped faults
            }
            if (drained == FaultRecordReader.ABANDONED) {
                faultEvent.set(true); // the successor looks again
                return drained;
            }
            if (drained == FaultRecordReader.AGAIN) {
                faultEvent.set(true);
            }
        }
        if (pageRequestEvent.getAndSet(false)) {
            outcome = FaultRecordReader.AGAIN;
            int drained = pageRequests.drain(port);
            if (drained == FaultRecordReader.ABANDONED) {
                pageRequestEvent.set(true);
                return drained;
            }
            if (drained == FaultRecordReader.AGAIN) {
                pageRequestEvent.set(true);
            }
        }
        return outcome;
    }

    /**
     * The core found a report of this driver held by an inline handler past its blocking threshold: unless too
     * many threads are held already, the interrupt thread is left to the handler and a fresh one steps past the
     * descriptor in flight (reported once; the core answers its group) and goes on with the fault records and
     * the page request queue, so the unit's other devices are not held up.
     */
    @Override
    public void reportingThreadBlocked() {
        synchronized (successorLock) {
            if (startSuccessor != null) {
                // a simulation: its scheduler runs the successor, which takes the pass as a fresh thread would
                if (!running || !pass.abandonReport()) {
                    return;
                }
                startSuccessor.accept(() -> {
                    pass.adopt();
                    pageRequests.stepPastInFlight();
                    pass.leave();
                    faultEvent.set(true);
                    pageRequestEvent.set(true);
                    kicked.run();
                });
            } else {
                Thread successor = running ? pass.handOver(unit.name() + "-prq-" + (successors + 1),
                        pageRequests::stepPastInFlight, () -> {
                            faultEvent.set(true);
                            pageRequestEvent.set(true);
                            run();
                        }) : null;
                if (successor == null) {
                    return;
                }
                thread = successor;
            }
            successors++;
        }
        log.problem("DMAR: " + unit.name() + ": a handler holds the interrupt thread; the fault records and the"
                + " page request queue go on on a fresh thread");
    }

    // ---------------------------------------------------------------- responses

    /** Unhandled faults are printed here, in the kernel's format (the core does not print them again). */
    @Override
    public boolean printsUnhandledFaults() {
        return true;
    }

    @Override
    public String name() {
        return unit.name();
    }

    @Override
    public void sendPageResponse(DeviceId device, PageResponse response) {
        try {
            if (!(device instanceof PciRequesterId pci) || pci.segment() != segment()) {
                refuse("a device not behind this unit: " + device);
                return;
            }
            int groupIndex = response.groupId();
            boolean pasidPresent = response.hasPasid();
            if ((groupIndex & ~0x1ff) != 0 || (pasidPresent && !Pasid.isValid(response.pasid()))) {
                refuse("group index 0x" + Integer.toHexString(groupIndex) + " or PASID "
                        + Pasid.format(response.pasid()) + " out of range for " + device);
                return;
            }
            // QI_RESP_*: the PCIe codes. Linux writes the generic code raw, sending FAILURE as the reserved 2.
            int code = switch (response.code()) {
                case SUCCESS -> PageGroupResponse.SUCCESS;
                case INVALID -> PageGroupResponse.INVALID;
                case FAILURE -> PageGroupResponse.FAILURE;
            };
            respond(pci.rid(), pasidPresent, pasidPresent ? response.pasid() : 0, code, groupIndex,
                    response.privateData0(), response.privateData1());
        } catch (RuntimeException e) {
            responsesLost.incrementAndGet();
            log.problem("DMAR: " + unit.name() + ": page response to " + device + " lost: " + e);
        }
    }

    /** Writes one page group response (VT-d invalidation descriptors), private data in qw2/qw3, and waits for it. */
    private void respond(int rid, boolean pasidPresent, int pasid, int code, int groupIndex, long data0,
            long data1) {
        long qw0 = 0x9 | (pasidPresent ? 1L << 4 : 0) | (long) code << 12 | (long) rid << 16 | (long) pasid << 32;
        long qw1 = 1L << 2 | (long) groupIndex << 3;
        if (queue.submit(qw0, qw1, data0, data1)) {
            responsesSent.incrementAndGet();
        } else {
            responsesLost.incrementAndGet();
        }
    }

    private void refuse(String why) {
        responsesRefused.incrementAndGet();
        log.problem("DMAR: " + unit.name() + ": page response refused: " + why);
    }

    // ---------------------------------------------------------------- VtdIommu

    @Override
    public int segment() {
        return unit.configuration().segment();
    }

    @Override
    public void attach(PciRequesterId device, int pasid, Domain domain, long firstLevelTable) {
        Objects.requireNonNull(domain, "domain");
        int index = pasidIndex(device, pasid);
        if ((firstLevelTable & 0xfff) != 0 || firstLevelTable <= 0) {
            throw new IllegalArgumentException(String.format("first-level table 0x%x is not a 4 KiB aligned address",
                    firstLevelTable));
        }
        if (domain.type() == DomainType.SVA && devices.withoutPri(device.rid())) {
            // Linux intel_iommu_enable_iopf: -ENODEV unless the device's PRI capability is supported
            throw new IllegalArgumentException("SVA domain " + domain.name() + " needs page requests, but " + device
                    + " has no PRI capability (" + unit.name() + ")");
        }
        PasidEntry entry = PasidEntry.firstLevel(firstLevelTable, domainId(domain), false);
        // The core learns the domain first, so a fault on the new tables already finds its handler.
        DevicePort devicePort = devices.portFor(port, device);
        devices.attached(device.rid(), pasid, domain);
        devicePort.attach(pasid, domain);
        replacePasidEntry(device.rid(), index, entry);
    }

    /**
     * Writes a PASID entry; if one was present, invalidates the unit's PASID cache for it (its old domain id)
     * and its PASID-based IOTLB entries, so the unit stops using the old entry (Linux
     * {@code pasid_cache_invalidation_with_pasid}, {@code qi_flush_piotlb}).
     */
    private void replacePasidEntry(int rid, int index, PasidEntry entry) {
        PasidEntry old = tables.pasidEntry(rid, index);
        tables.setPasidEntry(rid, index, entry);
        if (old != null && old.present()) {
            invalidatePasid(old.domainId(), index);
        }
    }

    /** PASID-selective PASID-cache invalidation, then all non-global IOTLB entries of the PASID. */
    private void invalidatePasid(int did, int pasidIndex) {
        queue.submit(QI_PC_TYPE | QI_PC_PASID_SEL << 4 | (long) did << 16 | (long) pasidIndex << 32, 0, 0, 0);
        queue.submit(QI_EIOTLB_TYPE | QI_GRAN_NONG_PASID << 4 | (long) did << 16 | (long) pasidIndex << 32, 0, 0,
                0);
    }

    @Override
    public void attachNested(PciRequesterId device, int pasid, Domain domain, long guestFirstLevelTable,
            long secondLevelTable) {
        Objects.requireNonNull(domain, "domain");
        if (!domain.guestOwned()) {
            throw new IllegalArgumentException("domain " + domain.name() + " is not a guest's nested domain");
        }
        int index = pasidIndex(device, pasid);
        if ((guestFirstLevelTable & 0xfff) != 0 || guestFirstLevelTable < 0 || (secondLevelTable & 0xfff) != 0
                || secondLevelTable <= 0) {
            throw new IllegalArgumentException(String.format("first-level table 0x%x (guest-physical) and"
                    + " second-level table 0x%x must be 4 KiB aligned addresses", guestFirstLevelTable,
                    secondLevelTable));
        }
        PasidEntry entry = PasidEntry.nested(guestFirstLevelTable, secondLevelTable, domainId(domain), false);
        DevicePort devicePort = devices.portFor(port, device);
        devices.attached(device.rid(), pasid, domain);
        devicePort.attach(pasid, domain);
        replacePasidEntry(device.rid(), index, entry);
    }

    /**
     * Announces a device to the core without attaching it (firmware lists it behind this unit, with or without a
     * PRI capability; an SVA domain is refused on a device announced without one).
     */
    void addDevice(PciRequesterId device, boolean pri) {
        checkDevice(device);
        devices.portFor(port, device);
        devices.pri(device.rid(), pri);
    }

    /**
     * Tears {@code (device, pasid)} down as Linux's {@code intel_pasid_tear_down_entry} and
     * {@code intel_iommu_drain_pasid_prq} do (VT-d spec 7.10), then tells the core: the PASID entry is cleared,
     * the page request queue is drained of that PASID's requests, an invalidation wait with page-request drain
     * brings in those still in flight, and the drain repeats while any of them (or PRS.PRO) shows up. The
     * requests drained are reported under the old owner, so the core's barrier answers them with the rest of its
     * groups; nothing of the old PASID reaches its next owner.
     */
    @Override
    public void detach(PciRequesterId device, int pasid) {
        int index = pasidIndex(device, pasid);
        PasidEntry old = tables.pasidEntry(device.rid(), index);
        tables.clearPasidEntry(device.rid(), index);
        if (old != null && old.present()) {
            invalidatePasid(old.domainId(), index);
        }
        drainPageRequests(device.rid(), pasid);
        if (devices.detached(device.rid(), pasid)) {
            DevicePort devicePort = devices.port(device.rid());
            if (devicePort != null) {
                devicePort.detach(pasid);
            }
        }
    }

    @Override
    public void removeDevice(PciRequesterId device) {
        checkDevice(device);
        tables.clearContext(device.rid());
        // device-selective context-cache invalidation, then the PASID cache of every PASID (VT-d §6.5)
        queue.submit(QI_CC_TYPE | QI_CC_DEVICE << 4 | (long) device.rid() << 32, 0, 0, 0);
        queue.submit(QI_PC_TYPE | QI_PC_GLOBAL << 4, 0, 0, 0);
        drainPageRequests(device.rid(), PageRequestReader.ANY_PASID);
        DevicePort devicePort = devices.removed(device.rid());
        if (devicePort != null) {
            devicePort.remove();
        }
    }

    /**
     * Waits until the page request queue holds no request of {@code (rid, pasid)}: drains it on this thread (under
     * the unit's queue pass, shared with the interrupt thread), then an invalidation wait with PD; again while the
     * queue shows such requests or PRS.PRO was set meanwhile.
     */
    private void drainPageRequests(int rid, int pasid) {
        pasidDrains.incrementAndGet();
        for (int round = 0; round < MAX_DRAIN_ROUNDS; round++) {
            if (!pageRequests.drainWithin(port, drainWaitNanos)) {
                log.problem("DMAR: " + unit.name() + ": page request queue busy (a handler call holds its pass);"
                        + " pasid " + Pasid.format(pasid) + " of " + Integer.toHexString(rid) + " not drained");
                return;
            }
            boolean drained = queue.drainPageRequests();
            if (drained && !pageRequests.holds(rid, pasid)
                    && (unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO) == 0) {
                return;
            }
        }
        log.problem("DMAR: " + unit.name() + ": page requests of " + Integer.toHexString(rid) + " pasid "
                + Pasid.format(pasid) + " still queued after " + MAX_DRAIN_ROUNDS + " drains");
    }

    /** The PASID entry currently programmed for {@code (device, pasid)}, or {@code null} (for diagnostics). */
    PasidEntry pasidEntry(PciRequesterId device, int pasid) {
        return tables.pasidEntry(device.rid(), pasidIndex(device, pasid));
    }

    private int pasidIndex(PciRequesterId device, int pasid) {
        checkDevice(device);
        if (pasid == Pasid.NONE) {
            return 0; // RID_PASID (IOMMU_NO_PASID)
        }
        if (pasid == 0) {
            throw new IllegalArgumentException("PASID 0 is the RID_PASID of requests without PASID;"
                    + " attach at Pasid.NONE for those");
        }
        if (pasid < 0 || pasid >= 1 << pasidBits) {
            throw new IllegalArgumentException("PASID " + Pasid.format(pasid) + " is outside the " + pasidBits
                    + "-bit PASIDs of " + unit.name());
        }
        return pasid;
    }

    private void checkDevice(PciRequesterId device) {
        Objects.requireNonNull(device, "device");
        if (!running) {
            throw new IllegalStateException(unit.name() + " is not running");
        }
        if (device.segment() != segment()) {
            throw new IllegalArgumentException(device + " is not on segment " + segment() + " of " + unit.name());
        }
    }

    private synchronized int domainId(Domain domain) {
        Integer id = domainIds.get(domain.name());
        if (id == null) {
            id = domainIds.size() + 1; // DID 0 is reserved, as in Linux
            if (id >= domainIdLimit) {
                throw new IllegalStateException(unit.name() + " has no domain id left for " + domain.name());
            }
            domainIds.put(domain.name(), id);
        }
        return id;
    }

    @Override
    public String toString() {
        return "UnitDriver[" + unit.name() + "]";
    }
}
