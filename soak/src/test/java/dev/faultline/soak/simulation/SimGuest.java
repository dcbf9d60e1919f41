package dev.faultline.soak.simulation;

import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0ACK;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_CMDQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_EVTQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_SMMUEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE_CFG;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.Stage2Tables;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.VirtualSmmuStatistics;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.VirtualSte;
import dev.faultline.viommu.standalone.StandaloneGuest;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A guest on the simulated machine with the guest-programmed virtual SMMUv3 (the production vIOMMU and virtual
 * SMMU), its threads actors of the scheduler: the guest kernel's SMMUv3 driver programs its virtual SMMU through
 * the registers (stream table, CDs, command and event queues in guest RAM), the VMM's thread moves the vIOMMU's
 * events into the guest's event queue, and two devices assigned to the guest fault: a stalling master (its stage-1
 * stalls answered by the guest's CMD_RESUME) and a terminating one that floods. The guest answers as a guest may:
 * maps the page and retries, aborts, forges a STAG first, resumes twice, resumes late, or never, and reads its event
 * queue at its own pace. The host's stage 2 maps the guest's RAM one to one (guest-physical = host-physical).
 *
 * <p>What it checks: a CMD_RESUME the virtual SMMU refuses moves no device, and one it takes at most the one stalled
 * write (each host stall answered exactly once: with the machine's checks that no stall is left and no CMD_RESUME
 * reached the SMMU for a stall it no longer held); the vIOMMU's queue and pending groups
 * stay within their bounds and its accounting balances (every event routed is delivered, lost or dropped), events
 * lost reach the guest as an overflow; the host never prints a guest's stage-1 fault.
 */
final class SimGuest {
    static final String NAME = "vm1";
    static final String DOMAIN = "vm1-nested";
    private static final int STALLING_SID = 0x40;
    private static final int FLOODING_SID = 0x41;
    private static final int VSID_STALLING = 0x20;
    private static final int VSID_FLOODING = 0x21;
    private static final long RAM = 8L << 20;
    private static final int STRTAB_LOG2 = 8;
    private static final int CMDQ_LOG2 = 8;
    private static final int EVTQ_LOG2 = 4;
    /** CD.IPS encoding of a 48-bit output size (Arm ARM VMSAv8-64). */
    private static final int IPS_48 = 5;
    private static final long FLOOD_REGION = 0x30_0000_0000L;
    static final GuestLimits LIMITS = new GuestLimits(16, 32, 200_000, 32, 0);

    /** What the guest does with a stall record. */
    private enum Answer { RETRY, ABORT, FORGED_FIRST, TWICE, LATE, NEVER }

    final DeviceId stallingId;
    final DeviceId floodingId;
    final SimStallingMaster master;
    private final Scheduler scheduler;
    private final Violations violations;
    private final Supplier<SmmuDomains> host;
    private final Scheduler.Actor vmm = new Scheduler.Actor(NAME + "-vmm");
    private final Scheduler.Actor kernel = new Scheduler.Actor(NAME + "-kernel");
    private final StandaloneGuest guest;
    private final VirtualSmmuV3 vsmmu;
    private final TranslationTable stage2;
    private final TranslationTable stage1;
    private final FrameAllocator frames;
    private final DmaDevice flooder;
    private final GuestMemoryWindow ram;
    private final long strtab;
    private final long cmdq;
    private final long evtq;
    private final long dataFrame;
    private final Map<DeviceId, VirtualSte> bound = new LinkedHashMap<>();
    private final long timeoutNanos;
    private int cmdqProd;
    private int evtqCons;
    private boolean irqDue;
    private boolean vmmDue;
    private long overflowsSeen;

    SimGuest(Machine machine, Smmu smmu, Supplier<SmmuDomains> host, Scheduler scheduler, Violations violations,
            long timeoutNanos, int window) {
        this.scheduler = scheduler;
        this.violations = violations;
        this.host = host;
        this.timeoutNanos = timeoutNanos;
        DeviceNode stalling = DeviceNode.parse("platform:vm1-vf0@" + smmu.name() + ":0x"
                + Integer.toHexString(STALLING_SID) + ":stall");
        DeviceNode flooding = DeviceNode.parse("platform:vm1-vf1@" + smmu.name() + ":0x"
                + Integer.toHexString(FLOODING_SID));
        machine.addDevice(stalling);
        machine.addDevice(flooding);
        stallingId = stalling.id();
        floodingId = flooding.id();
        long base = machine.frames().allocate(RAM, 2L << 20);
        stage2 = TranslationTable.stage2(machine.frames(), 40);
        stage2.map(base, base, RAM, Protection.READ_WRITE);
        ram = new GuestMemoryWindow(machine.memory(), 0, base + RAM);
        frames = new FrameAllocator(machine.memory(), base, RAM);
        stage1 = TranslationTable.stage1(frames, 48);
        guest = new StandaloneGuest(NAME, DOMAIN, ram, LIMITS, scheduler::now, this::bind);
        vsmmu = guest.smmu();
        vsmmu.addStream(stallingId, VSID_STALLING);
        vsmmu.addStream(floodingId, VSID_FLOODING);
        master = new SimStallingMaster(stallingId, STALLING_SID, smmu, stage1, window, scheduler);
        flooder = DmaDevice.of(floodingId.toString(), FLOODING_SID, smmu, machine.memory());
        strtab = frames.allocate(64L << STRTAB_LOG2, 64L << STRTAB_LOG2);
        cmdq = frames.allocate(16L << CMDQ_LOG2, 16L << CMDQ_LOG2);
        evtq = frames.allocate(0x1000, 0x1000);
        dataFrame = frames.allocatePage();
    }

    /** The guest kernel boots: resets its SMMU and gives both devices stage 1 (stalls for the first). */
    void boot() {
        vsmmu.write64(STRTAB_BASE, strtab | SmmuRegisters.STRTAB_BASE_RA);
        vsmmu.write32(STRTAB_BASE_CFG, STRTAB_LOG2);
        vsmmu.write64(CMDQ_BASE, cmdq | CMDQ_LOG2 | SmmuRegisters.Q_BASE_RWA);
        vsmmu.write32(CMDQ_PROD, 0);
        vsmmu.write32(CMDQ_CONS, 0);
        vsmmu.write64(EVENTQ_BASE, evtq | EVTQ_LOG2 | SmmuRegisters.Q_BASE_RWA);
        vsmmu.write32(EVENTQ_PROD, 0);
        vsmmu.write32(EVENTQ_CONS, 0);
        enable(CR0_CMDQEN);
        submit(Command.ConfigInvalidation.all(), new Command.Invalidation(Command.OP_TLBI_NSNH_ALL, 0));
        enable(CR0_CMDQEN | CR0_EVTQEN);
        enable(CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
        attach(VSID_STALLING, true);
        attach(VSID_FLOODING, false);
    }

    private void enable(int cr0) {
        vsmmu.write32(CR0, cr0);
        if (vsmmu.read32(CR0ACK) != cr0) {
            violations.add(NAME + ": CR0ACK 0x" + Integer.toHexString(vsmmu.read32(CR0ACK)) + " after CR0 0x"
                    + Integer.toHexString(cr0));
        }
    }

    /** A stream given the guest's one stage-1 table through a one-CD table (Linux's STE and CD). */
    private void attach(int vsid, boolean stall) {
        long cd = frames.allocate(64, 64);
        write(cd, ContextDescriptor.linux(48, IPS_48, 1, stage1.root(), stall).encode());
        write(strtab + 64L * vsid, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS)
                .contextTable(cd, 0, 0).stage1Controls(0, false, 0).flags(false, false).build().encode());
        submit(Command.ConfigInvalidation.ste(vsid), Command.Sync.sev());
    }

    /** The VMM's binder: the guest's STE becomes the device's nested attachment on the host. */
    private void bind(DeviceId device, VirtualSte ste) {
        bound.put(device, ste);
        attachOnHost(device, ste);
    }

    private void attachOnHost(DeviceId device, VirtualSte ste) {
        SmmuDomains driver = host.get();
        if (ste.mode() == VirtualSte.Mode.STAGE1) {
            driver.attachNested(device, Domain.nested(DOMAIN, NAME), new GuestStage1(ste.contextTable(), ste.s1Fmt(),
                    ste.s1CdMax(), ste.s1Dss()), Stage2Tables.of(stage2));
        } else {
            driver.detach(device, Pasid.NONE);
        }
    }

    /** A new host driver (a swap, a new core): the VMM attaches the guest's streams again, as the guest set them. */
    void reattach() {
        bound.forEach(this::attachOnHost);
    }

    /** The registration that makes the vIOMMU the guest domain's handler. */
    Map<String, Object> properties() {
        return Map.of(HandlerProperties.DOMAIN, DOMAIN, HandlerProperties.GUEST, NAME, HandlerProperties.TIMEOUT_MS,
                TimeUnit.NANOSECONDS.toMillis(timeoutNanos));
    }

    /**
     * The guest domain's handler as the core calls it: the vIOMMU, whose {@code handle} wakes the VMM's thread
     * waiting in {@code deliver} when it queued something (here: schedules the VMM's step).
     */
    FaultHandler handler() {
        return group -> {
            guest.handler().handle(group);
            wakeVmm();
        };
    }

    private void wakeVmm() {
        if (!vmmDue) {
            vmmDue = true;
            scheduler.after(scheduler.delay(1_000, 20_000), vmm, "delivers", this::vmmStep);
        }
    }

    // ---------------------------------------------------------------- the VMM and the guest kernel

    /** The VMM's event thread: moves the vIOMMU's events into the guest's queue and raises the guest's IRQ. */
    private void vmmStep() {
        vmmDue = false;
        int written;
        try {
            written = vsmmu.deliver(0, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        if (written > 0 && !irqDue) {
            irqDue = true;
            // a guest reads its queue at its own pace: sometimes slower than the devices fault
            long pace = scheduler.random().nextInt(8) == 0 ? scheduler.delay(200_000, 2_000_000)
                    : scheduler.delay(5_000, 60_000);
            scheduler.after(pace, kernel, "reads its event queue", this::readEvents);
        }
    }

    /** Linux's evtq thread: every record between CONS and PROD, then CONS with OVACKFLG = OVFLG. */
    private void readEvents() {
        irqDue = false;
        int prod = vsmmu.read32(EVENTQ_PROD);
        if (QueuePointer.overflow(prod) != QueuePointer.overflow(evtqCons)) {
            overflowsSeen++;
        }
        while (!QueuePointer.empty(prod, evtqCons, EVTQ_LOG2)) {
            long at = evtq + 32L * QueuePointer.index(evtqCons, EVTQ_LOG2);
            long dw0 = ram.read64(at);
            long dw1 = ram.read64(at + 8);
            long dw2 = ram.read64(at + 16);
            evtqCons = QueuePointer.increment(evtqCons, EVTQ_LOG2) & ~SmmuRegisters.Q_OVERFLOW_FLAG;
            if ((dw1 & EventRecord.EVTQ_1_STALL) != 0) {
                stalled(EventRecord.sid(dw0), EventRecord.stag(dw1), dw2);
            }
        }
        evtqCons = QueuePointer.position(evtqCons, EVTQ_LOG2) | QueuePointer.overflow(prod);
        vsmmu.write32(EVENTQ_CONS, evtqCons);
        wakeVmm(); // stall records that waited for room go in now
    }

    private void stalled(int vsid, int stag, long address) {
        Answer answer = Answer.values()[weighted()];
        scheduler.trace(NAME + " stall of vsid 0x" + Integer.toHexString(vsid) + " stag 0x" + Integer.toHexString(stag)
                + " at 0x" + Long.toHexString(address) + ": " + answer);
        switch (answer) {
            case RETRY -> {
                pageIn(address);
                resume(vsid, stag, true, true);
            }
            case ABORT -> resume(vsid, stag, false, true);
            case FORGED_FIRST -> {
                resume(vsid, stag ^ 0x8000, true, false);
                pageIn(address);
                resume(vsid, stag, true, true);
            }
            case TWICE -> {
                pageIn(address);
                resume(vsid, stag, true, true);
                resume(vsid, stag, false, false);
            }
            case LATE -> scheduler.after(scheduler.delay(0, 3 * timeoutNanos), kernel, "resumes late",
                    () -> resume(vsid, stag, false, false));
            case NEVER -> {
                // the host's deadline answers it
            }
        }
    }

    private int weighted() {
        int x = scheduler.random().nextInt(100);
        return x < 50 ? 0 : x < 65 ? 1 : x < 75 ? 2 : x < 85 ? 3 : x < 95 ? 4 : 5;
    }

    private void pageIn(long address) {
        long page = address & ~0xfffL;
        if (stage1.lookup(page).isEmpty()) {
            stage1.map(page, dataFrame, 0x1000, Protection.READ_WRITE); // every page the guest maps shares a frame
        }
    }

    /**
     * CMD_RESUME and CMD_SYNC. A resume the virtual SMMU refuses (forged, stale, twice) must move no device; one it
     * takes moves at most the one stalled write.
     *
     * @param mayBeTaken whether the STAG is one the guest holds unanswered (else it must be refused, unless the
     *     host answered it first)
     */
    private void resume(int vsid, int stag, boolean retry, boolean mayBeTaken) {
        VirtualSmmuStatistics before = vsmmu.statistics();
        long heard = master.completed();
        submit(new Command.Resume(vsid, stag, retry, !retry), Command.Sync.sev());
        VirtualSmmuStatistics after = vsmmu.statistics();
        long moved = master.completed() - heard;
        boolean refused = after.resumesRefused() > before.resumesRefused();
        if (refused && moved != 0) {
            violations.add(NAME + ": a CMD_RESUME the virtual SMMU refused (stag 0x" + Integer.toHexString(stag)
                    + ") moved " + moved + " write(s)");
        } else if (moved > 1) {
            violations.add(NAME + ": one CMD_RESUME moved " + moved + " writes");
        } else if (!mayBeTaken && !refused && moved != 0) {
            violations.add(NAME + ": a forged or repeated CMD_RESUME (stag 0x" + Integer.toHexString(stag)
                    + ") reached the device");
        }
    }

    private void submit(Command... commands) {
        for (Command c : commands) {
            long at = cmdq + 16L * QueuePointer.index(cmdqProd, CMDQ_LOG2);
            ram.write64(at, c.dw0());
            ram.write64(at + 8, c.dw1());
            cmdqProd = QueuePointer.increment(cmdqProd, CMDQ_LOG2);
        }
        vsmmu.write32(CMDQ_PROD, cmdqProd);
        if (vsmmu.read32(CMDQ_CONS) != cmdqProd) {
            violations.add(NAME + ": the virtual SMMU stopped at a command the guest wrote correctly (CONS 0x"
                    + Integer.toHexString(vsmmu.read32(CMDQ_CONS)) + ", PROD 0x" + Integer.toHexString(cmdqProd) + ")");
        }
    }

    private void write(long ipa, long[] words) {
        for (int i = 0; i < words.length; i++) {
            ram.write64(ipa + 8L * i, words[i]);
        }
    }

    // ---------------------------------------------------------------- devices and chaos

    /** The guest's stalling master issues one write if its window allows; returns whether it did. */
    boolean deviceStep() {
        if (!master.canIssue()) {
            return false;
        }
        master.issue(SimAct.SUCCESS);
        return true;
    }

    /** The guest floods: {@code n} reads of its terminating device at addresses its stage 1 does not map. */
    void flood(int n, long phase) {
        for (int i = 0; i < n; i++) {
            long address = FLOOD_REGION + (phase << 24) + ((long) i << 12);
            flooder.start(new DmaAccess(FLOODING_SID, Pasid.NONE, address, AccessType.READ, false, 8, false));
        }
    }

    /** Whether a host log line names one of the guest's devices (the host must not print their stage-1 faults). */
    boolean names(String line) {
        return line.contains(stallingId.toString()) || line.contains(floodingId.toString())
                || line.contains("vm1-vf0") || line.contains("vm1-vf1")
                || line.contains("sid: 0x" + Integer.toHexString(STALLING_SID))
                || line.contains("sid: 0x" + Integer.toHexString(FLOODING_SID));
    }

    // ---------------------------------------------------------------- invariants

    /** What must hold after every event: the vIOMMU's bounds and accounting. */
    void everyStep() {
        GuestStatistics s = guest.viommu().statistics();
        if (s.queued() > 2 * LIMITS.eventQueueDepth() + 1) {
            violations.add(NAME + ": " + s.queued() + " events queued, above twice the depth plus one marker");
        }
        if (s.pending() > LIMITS.maxPendingGroups()) {
            violations.add(NAME + ": " + s.pending() + " groups pending, above " + LIMITS.maxPendingGroups());
        }
        if (s.routed() != s.delivered() + s.lost() + s.droppedUnknownDevice() + s.droppedClosed()) {
            violations.add(NAME + ": routed " + s.routed() + " != delivered " + s.delivered() + " + lost " + s.lost()
                    + " + dropped " + (s.droppedUnknownDevice() + s.droppedClosed()));
        }
        if (vsmmu.statistics().stallsWaiting() > LIMITS.maxPendingGroups()) {
            violations.add(NAME + ": " + vsmmu.statistics().stallsWaiting() + " stall records wait for room");
        }
    }

    /**
     * At rest: events the vIOMMU lost reached the guest's queue as discarded records, and every overflow reached the
     * guest (seen, or flagged in PROD for its next read).
     */
    void atRest(String when) {
        GuestStatistics s = guest.viommu().statistics();
        VirtualSmmuStatistics v = vsmmu.statistics();
        if (v.eventsDiscarded() < s.lost()) {
            violations.add(when + ": " + NAME + " lost " + s.lost() + " events but its SMMU discarded only "
                    + v.eventsDiscarded());
        }
        // each overflow episode toggles EVENTQ_PROD.OVFLG once: the guest saw it, or sees it at its next read
        int visible = QueuePointer.overflow(vsmmu.read32(EVENTQ_PROD)) != QueuePointer.overflow(evtqCons) ? 1 : 0;
        if (v.overflows() != overflowsSeen + visible) {
            violations.add(when + ": " + NAME + "'s SMMU overflowed " + v.overflows() + " time(s), the guest saw "
                    + overflowsSeen + (visible == 1 ? " and one is flagged for its next read" : ""));
        }
        if (master.inFlight() != 0) {
            violations.add(when + ": " + master.inFlight() + " write(s) of " + stallingId + " still stalled");
        }
    }

    @Override
    public String toString() {
        return NAME + " " + stallingId;
    }
}
