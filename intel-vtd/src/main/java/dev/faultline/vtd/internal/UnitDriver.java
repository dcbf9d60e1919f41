package dev.faultline.vtd.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.log.LogSink;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.vtd.Capability;
import dev.faultline.platform.vtd.ExtendedCapability;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.vtd.GuestFirstLevel;
import dev.faultline.vtd.VtdIommu;
import java.util.List;
import java.util.Objects;
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
public final class UnitDriver implements IommuBackend, VtdIommu {

    private final RemappingUnit unit;
    private final DmarLog log;
    private final DeviceTable devices;
    private final ContextTables tables;
    private final InvalidationQueue queue;
    private final PageRequestReader pageRequests;
    private final FaultRecordReader faults;
    private final IommuPort port;
    private final int pasidBits;
    private final PasidAttachments attachments;
    private final PageResponses responses;
    /** Held while the fault records and the page request queue are consumed (interrupt thread or teardown). */
    private final QueuePass pass = new QueuePass();
    private final InterruptThread interrupts;
    private volatile boolean running;
    private final boolean tookOver;

    /**
     * Programs or adopts {@code unit} and connects it to {@code pipeline}; call {@link #start()} next.
     *
     * @throws IllegalStateException if the unit lacks scalable mode, first-level translation, queued
     *     invalidation or PASID support, or an IOMMU of its name is already connected
     */
    public UnitDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline, DriverSettings settings,
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
    public UnitDriver(RemappingUnit unit, FrameAllocator allocator, FaultPipeline pipeline, DriverSettings settings,
            LogSink sink, LongSupplier ticker, Runnable kicked, Consumer<Runnable> successor) {
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
        int gsts = unit.read32(RegisterMap.GSTS);
        long rtaddr = unit.read64(RegisterMap.RTADDR);
        tookOver = (gsts & RegisterMap.GCMD_TE) != 0 && (gsts & RegisterMap.GCMD_SRTP) != 0
                && (rtaddr & RegisterMap.RTADDR_TTM_MASK) == RegisterMap.RTADDR_SMT;
        long root = tookOver ? rtaddr & ~0xfffL : allocator.allocatePage();
        this.tables = new ContextTables(allocator, root, pasidBits, ecap.has(ExtendedCapability.PAGE_REQUESTS),
                ecap.has(ExtendedCapability.DEVICE_TLB));
        this.queue = new InvalidationQueue(unit, allocator, log, ticker, settings.invalidationTimeoutNanos());
        this.responses = new PageResponses(unit.name(), unit.configuration().segment(), queue, log);
        if (!tookOver) {
            unit.write64(RegisterMap.RTADDR, root | RegisterMap.RTADDR_SMT);
            unit.write32(RegisterMap.GCMD, persistentCommands() | RegisterMap.GCMD_SRTP);
            awaitStatus(RegisterMap.GCMD_SRTP, ticker, settings.invalidationTimeoutNanos());
            unit.write32(RegisterMap.GCMD, persistentCommands() | RegisterMap.GCMD_TE);
            awaitStatus(RegisterMap.GCMD_TE, ticker, settings.invalidationTimeoutNanos());
        }
        this.pageRequests = new PageRequestReader(unit, allocator, devices, log, responses,
                settings.pageRequestQueueOrder(), pass);
        this.faults = new FaultRecordReader(unit, devices, log, pass);
        this.port = pipeline.connect(this);
        this.attachments = new PasidAttachments(unit, devices, tables, queue, pageRequests, log, port, pasidBits,
                new Capability(unit.read64(RegisterMap.CAP)).domainIds(), settings.invalidationTimeoutNanos(),
                () -> running);
        if (tookOver) {
            List<Integer> present = tables.presentDevices();
            for (int rid : present) {
                devices.portFor(port, PciRequesterId.ofRid(segment(), rid));
            }
            log.notice("DMAR: " + unit.name() + ": took over a running unit with " + present.size()
                    + " device(s) present");
        }
        this.interrupts = new InterruptThread(unit.name(), log, faults, pageRequests, port, pass, kicked, successor);
    }

    /** Unmasks the unit's events and starts the interrupt thread. */
    public void start() {
        running = true;
        unit.connectInterrupts(interrupts::interrupt);
        interrupts.start();
        unit.write32(RegisterMap.FECTL, 0);
        unit.write32(RegisterMap.PECTL, 0);
        interrupts.kickSimulation();
    }

    /** Quiesces and disconnects, leaving the unit running for the next driver. Idempotent. */
    public void stop() {
        if (!running) {
            return;
        }
        unit.write32(RegisterMap.FECTL, RegisterMap.EVENT_IM);
        unit.write32(RegisterMap.PECTL, RegisterMap.EVENT_IM);
        running = false;
        interrupts.stop();
        port.close();
        unit.disconnectInterrupts();
    }

    /** Whether {@link #start()} found the unit already translating and adopted its tables and queues. */
    public boolean tookOver() {
        return tookOver;
    }

    /** A snapshot of the counters. */
    public DriverCounters counters() {
        return new DriverCounters(pageRequests.reported, pageRequests.badRequests, pageRequests.stopMarkers,
                pageRequests.overflows, faults.reported, faults.delivered, faults.printed, faults.printSuppressed,
                faults.guestSilenced, faults.hostOwnedGuestFaults, faults.overflows, responses.sent(),
                responses.lost(), responses.refused(), queue.errors(), pageRequests.reservedDescriptors,
                attachments.pasidDrains(), pass.abandoned(), pass.blocked(), pass.refused());
    }

    /** The unit and driver as the shell shows them. */
    public VtdStatus status() {
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

    /** One pass of the interrupt thread (see {@link InterruptThread#pass()}). */
    int pass() {
        return interrupts.pass();
    }

    /**
     * {@link #pass()} for a driver without threads.
     *
     * @return whether there was work and the pass is still this thread's (the thread would look again at once)
     */
    public boolean passAndLookAgain() {
        return pass() == FaultRecordReader.AGAIN;
    }

    /**
     * The core found a report of this driver held by an inline handler past its blocking threshold: see
     * {@link InterruptThread#reportingThreadBlocked()}.
     */
    @Override
    public void reportingThreadBlocked() {
        interrupts.reportingThreadBlocked();
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
        responses.send(device, response);
    }

    // ---------------------------------------------------------------- VtdIommu

    @Override
    public int segment() {
        return unit.configuration().segment();
    }

    @Override
    public void attach(PciRequesterId device, int pasid, Domain domain, long firstLevelTable) {
        attachments.attach(device, pasid, domain, firstLevelTable);
    }

    @Override
    public void attachNested(PciRequesterId device, int pasid, Domain domain, long guestFirstLevelTable,
            long secondLevelTable) {
        attachments.attachNested(device, pasid, domain, GuestFirstLevel.userOnly(guestFirstLevelTable),
                secondLevelTable);
    }

    @Override
    public void attachNested(PciRequesterId device, int pasid, Domain domain, GuestFirstLevel firstLevel,
            long secondLevelTable) {
        attachments.attachNested(device, pasid, domain, firstLevel, secondLevelTable);
    }

    /**
     * Announces a device to the core without attaching it (firmware lists it behind this unit, with or without a
     * PRI capability; an SVA domain is refused on a device announced without one).
     */
    public void addDevice(PciRequesterId device, boolean pri) {
        attachments.addDevice(device, pri);
    }

    @Override
    public void detach(PciRequesterId device, int pasid) {
        attachments.detach(device, pasid);
    }

    @Override
    public void removeDevice(PciRequesterId device) {
        attachments.removeDevice(device);
    }

    /** The PASID entry currently programmed for {@code (device, pasid)}, or {@code null} (for diagnostics). */
    PasidEntry pasidEntry(PciRequesterId device, int pasid) {
        return attachments.pasidEntry(device, pasid);
    }

    @Override
    public String toString() {
        return "UnitDriver[" + unit.name() + "]";
    }
}
