package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.DomainType;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.core.queue.QueuePass;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.machine.TopologyListener;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;
import dev.faultline.platform.smmuv3.PriEntry;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.Stage1Tables;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The driver of one SMMUv3, in the role of Linux's {@code arm-smmu-v3.c}: brings the SMMU up (or takes over one
 * a previous driver left running), programs STEs and CDs for attached domains, and runs the fault thread that
 * drains the event and PRI queues and routes each record (Linux {@code arm_smmu_evtq_thread}, {@code _priq_thread}):
 *
 * <ul>
 *   <li>a stall (F_TRANSLATION .. F_PERMISSION with Stall = 1) of a stall-enabled device becomes a one-request
 *       page request group into the core: group id = STAG, permissions from RnW/InD/PnU, PASID from SSV/SSID;</li>
 *   <li>a PRI page request of a PRI-enabled device becomes a page request: group id = PRG index;</li>
 *   <li>a stage-1 or CD fault (S2 = 0) of a guest-owned (nested) device goes to the core with its raw record,
 *       for the guest's handler, and is never printed here; the guest device's stage-2 and fetch faults are the
 *       host's and are printed, as Linux does, under a rate limit of that guest's own;</li>
 *   <li>every other record of a known device becomes an unrecoverable fault; if no handler serves it, it is
 *       printed in the kernel's decoded form, at most 10 per 5 s;</li>
 *   <li>records of unknown StreamIDs are printed; their stalls are terminated and their last page requests
 *       denied, so no transaction waits forever.</li>
 * </ul>
 *
 * Answers from the core become CMD_RESUME (SUCCESS retries, INVALID and FAILURE abort) or CMD_PRI_RESP
 * (SUCCESS, InvalidRequest, ResponseFailure), each followed by CMD_SYNC.
 *
 * <p>Thread-safe. Configuration methods are serialized; the fault path allocates nothing per record except
 * the raw record attached to a guest's fault and the lines it prints.
 */
final class SmmuDriver implements IommuBackend, SmmuDomains {
    private static final int MAX_SID_BITS = 16;

    private final Smmu smmu;
    private final Machine machine;
    private final FaultPipeline pipeline;
    private final DriverSettings settings;
    private final DriverLog log;
    private final String prefix;
    private final PhysicalMemory memory;
    private final FrameAllocator frames;
    private final CommandQueue commands;
    private final StreamTable streamTable;
    private final QueueReader events;
    private final QueueReader pageRequests;
    private final EventPrinter printer;
    private static final int DRAINED = 0;
    private static final int OVERFLOWED = 1;
    private static final int ABANDONED = 2;
    private final Semaphore kick = new Semaphore(0);
    /** Runs on each interrupt instead of waking the fault thread (a simulation without threads), else null. */
    private final Runnable kicked;
    /** Starts a successor of a held fault thread in a simulation without threads, else null. */
    private final Consumer<Runnable> startSuccessor;
    private final Map<DeviceId, Stream> byDevice = new ConcurrentHashMap<>();
    /** Streams of unplugged devices: a handler call running at the unplug still answers through them. */
    private final Map<DeviceId, Stream> departed = new ConcurrentHashMap<>();
    private final TopologyListener topology = new TopologyListener() {
        @Override
        public void deviceAdded(DeviceNode node) {
            if (node.iommu().equals(smmu.name())) {
                synchronized (SmmuDriver.this) {
                    if (running) {
                        addStream(node, false);
                    }
                }
            }
        }

        @Override
        public void deviceRemoved(DeviceNode node) {
            if (node.iommu().equals(smmu.name())) {
                removeStream(node.id());
            }
        }
    };

    private AtomicReferenceArray<Stream> bySid;
    private IommuPort port;
    private Thread faultThread;
    private volatile boolean running;
    private boolean priQueue;
    private int ssidBits;
    private boolean cd2l;
    private int stallModel;
    private int oas;
    private int nextAsid = 1;
    private int nextVmid = 1;
    private boolean adopted;

    // written by the fault thread only (single writer), read by the shell: volatile for visibility
    private volatile long stallsReported;
    private volatile long pageRequestsReported;
    private volatile long unrecoverableReported;
    private volatile long guestFaultsForwarded;
    private volatile long unassignedRecords;
    private volatile long stopMarkers;
    private volatile long eventOverflows;
    private volatile long priOverflows;
    private final AtomicLong teardownDrains = new AtomicLong();
    private final AtomicLong stallsTerminated = new AtomicLong();
    private final AtomicLong teardownDrainsTimedOut = new AtomicLong();
    private final long syncTimeoutNanos;
    /** Held while the event and PRI queues are consumed: by the fault thread, or by a teardown draining them. */
    private final QueuePass queues = new QueuePass();
    /** The queue whose entry is being reported (written by the pass's holder before each report). */
    private QueueReader inFlight;
    /** Guards {@link #faultThread} against a successor started as the driver stops. */
    private final Object successorLock = new Object();
    private int successors;
    private volatile long malformedRecords;
    private volatile long lostResponses;

    SmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline, DriverSettings settings, DriverLog log,
            LongSupplier ticker) {
        this(smmu, machine, pipeline, settings, log, ticker, null, null);
    }

    /**
     * A driver whose fault threads are its own ({@code kicked} null), or, for a deterministic simulation, a driver
     * without threads: each interrupt (and the start) runs {@code kicked}, and the simulation's scheduler then calls
     * {@link #pass()} where the fault thread would run its pass; where a fresh fault thread would take over the
     * queues from one a handler holds, {@code successor} gets what that thread would run first, and runs it as a
     * thread of the simulation's.
     */
    SmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline, DriverSettings settings, DriverLog log,
            LongSupplier ticker, Runnable kicked, Consumer<Runnable> successor) {
        this.kicked = kicked;
        this.startSuccessor = successor;
        this.smmu = smmu;
        this.machine = machine;
        this.pipeline = pipeline;
        this.settings = settings;
        this.log = log;
        this.prefix = "arm-smmu-v3 " + smmu.name() + ": ";
        this.memory = smmu.memory();
        this.frames = machine.frames();
        this.commands = new CommandQueue(smmu, prefix, log, TimeUnit.MILLISECONDS.toNanos(settings.syncTimeoutMillis()));
        this.syncTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.syncTimeoutMillis());
        this.streamTable = new StreamTable(smmu, frames, commands);
        this.events = new QueueReader(smmu, SmmuRegisters.EVENTQ_PROD, SmmuRegisters.EVENTQ_CONS, EventRecord.BYTES);
        this.pageRequests = new QueueReader(smmu, SmmuRegisters.PRIQ_PROD, SmmuRegisters.PRIQ_CONS, PriEntry.BYTES);
        this.printer = new EventPrinter(prefix, log, settings.printBurst(),
                TimeUnit.MILLISECONDS.toNanos(settings.printIntervalMillis()), ticker);
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Brings the SMMU up, or takes it over from a previous driver if it is running, connects it to the core,
     * announces the devices behind it and starts the fault thread (which first drains what was queued meanwhile).
     *
     * @throws IllegalStateException if the core already has an IOMMU of this name
     */
    synchronized void start() {
        if (memory != machine.memory()) {
            throw new IllegalStateException(smmu.name() + " is not in machine " + machine.name() + "'s memory");
        }
        int idr0 = smmu.read32(SmmuRegisters.IDR0);
        int idr1 = smmu.read32(SmmuRegisters.IDR1);
        int sidBits = Math.min(idr1 & 0x3f, MAX_SID_BITS);
        ssidBits = idr1 >>> SmmuRegisters.IDR1_SSIDSIZE_SHIFT & 0x1f;
        cd2l = (idr0 & SmmuRegisters.IDR0_CD2L) != 0;
        stallModel = idr0 >>> SmmuRegisters.IDR0_STALL_MODEL_SHIFT & 3;
        priQueue = (idr0 & SmmuRegisters.IDR0_PRI) != 0;
        oas = Math.min(smmu.read32(SmmuRegisters.IDR5) & 7, 5);
        int cr0 = smmu.read32(SmmuRegisters.CR0);
        int needed = SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_CMDQEN | SmmuRegisters.CR0_EVTQEN;
        adopted = (cr0 & needed) == needed;
        if (adopted) {
            adopt(idr1);
            log.info(prefix + "taking over a running SMMU; draining records queued meanwhile");
        } else {
            reset(idr0, idr1, sidBits);
        }
        bySid = new AtomicReferenceArray<>(1 << sidBits);
        port = pipeline.connect(this);
        running = true;
        for (DeviceNode node : machine.devicesBehind(smmu.name())) {
            addStream(node, adopted);
        }
        machine.addTopologyListener(topology);
        if (kicked == null) {
            synchronized (successorLock) {
                faultThread = new Thread(this::faultLoop, smmu.name() + "-evtq");
                faultThread.setDaemon(true);
                faultThread.start();
            }
            smmu.connectInterrupts(line -> kick.release());
        } else {
            smmu.connectInterrupts(line -> kicked.run());
        }
        smmu.write32(SmmuRegisters.IRQ_CTRL, SmmuRegisters.IRQ_CTRL_EVTQ_IRQEN | SmmuRegisters.IRQ_CTRL_GERROR_IRQEN
                | (priQueue ? SmmuRegisters.IRQ_CTRL_PRIQ_IRQEN : 0));
        if (kicked == null) {
            kick.release();
        } else {
            kicked.run();
        }
    }

    /** Linux {@code arm_smmu_device_reset}: tables and queues, invalidate everything, enable. */
    private void reset(int idr0, int idr1, int sidBits) {
        smmu.write32(SmmuRegisters.CR0, 0);
        smmu.write32(SmmuRegisters.IRQ_CTRL, 0);
        long[] strtab = streamTable.create(sidBits, (idr0 & SmmuRegisters.IDR0_ST_LVL_2LVL) != 0);
        smmu.write64(SmmuRegisters.STRTAB_BASE, strtab[0]);
        smmu.write32(SmmuRegisters.STRTAB_BASE_CFG, (int) strtab[1]);
        int cmdqLog2 = Math.min(settings.commandQueueLog2(), idr1 >>> SmmuRegisters.IDR1_CMDQS_SHIFT & 0x1f);
        long cmdqBase = allocateQueue(cmdqLog2, Command.BYTES);
        smmu.write64(SmmuRegisters.CMDQ_BASE, cmdqBase);
        smmu.write32(SmmuRegisters.CMDQ_PROD, 0);
        smmu.write32(SmmuRegisters.CMDQ_CONS, 0);
        commands.use(cmdqBase, cmdqLog2, 0);
        int cr0 = SmmuRegisters.CR0_CMDQEN;
        smmu.write32(SmmuRegisters.CR0, cr0);
        Command.ConfigInvalidation all = Command.ConfigInvalidation.all();
        commands.issue(all.dw0(), all.dw1());
        commands.issueAndSync(Command.OP_TLBI_NSNH_ALL, 0);
        int evtqLog2 = Math.min(settings.eventQueueLog2(), idr1 >>> SmmuRegisters.IDR1_EVTQS_SHIFT & 0x1f);
        long evtqBase = allocateQueue(evtqLog2, EventRecord.BYTES);
        smmu.write64(SmmuRegisters.EVENTQ_BASE, evtqBase);
        smmu.write32(SmmuRegisters.EVENTQ_PROD, 0);
        smmu.write32(SmmuRegisters.EVENTQ_CONS, 0);
        events.use(evtqBase, evtqLog2);
        cr0 |= SmmuRegisters.CR0_EVTQEN;
        smmu.write32(SmmuRegisters.CR0, cr0);
        if (priQueue) {
            int priqLog2 = Math.min(settings.priQueueLog2(), idr1 >>> SmmuRegisters.IDR1_PRIQS_SHIFT & 0x1f);
            long priqBase = allocateQueue(priqLog2, PriEntry.BYTES);
            smmu.write64(SmmuRegisters.PRIQ_BASE, priqBase);
            smmu.write32(SmmuRegisters.PRIQ_PROD, 0);
            smmu.write32(SmmuRegisters.PRIQ_CONS, 0);
            pageRequests.use(priqBase, priqLog2);
            cr0 |= SmmuRegisters.CR0_PRIQEN;
            smmu.write32(SmmuRegisters.CR0, cr0);
        }
        smmu.write32(SmmuRegisters.CR2, settings.recordInvalidStreamIds() ? SmmuRegisters.CR2_RECINVSID : 0);
        cr0 |= SmmuRegisters.CR0_SMMUEN;
        smmu.write32(SmmuRegisters.CR0, cr0);
        log.info(prefix + "allocated " + (1 << cmdqLog2) + " entries for cmdq");
        log.info(prefix + "allocated " + (1 << evtqLog2) + " entries for evtq");
    }

    /** Takes over tables and queues as the previous driver left them. */
    private void adopt(int idr1) {
        streamTable.adopt(smmu.read64(SmmuRegisters.STRTAB_BASE), smmu.read32(SmmuRegisters.STRTAB_BASE_CFG));
        long cmdqBase = smmu.read64(SmmuRegisters.CMDQ_BASE);
        commands.use(cmdqBase, (int) Math.min(cmdqBase & SmmuRegisters.Q_BASE_LOG2SIZE,
                idr1 >>> SmmuRegisters.IDR1_CMDQS_SHIFT & 0x1f), smmu.read32(SmmuRegisters.CMDQ_PROD));
        long evtqBase = smmu.read64(SmmuRegisters.EVENTQ_BASE);
        events.use(evtqBase, (int) Math.min(evtqBase & SmmuRegisters.Q_BASE_LOG2SIZE,
                idr1 >>> SmmuRegisters.IDR1_EVTQS_SHIFT & 0x1f));
        priQueue &= (smmu.read32(SmmuRegisters.CR0) & SmmuRegisters.CR0_PRIQEN) != 0;
        if (priQueue) {
            long priqBase = smmu.read64(SmmuRegisters.PRIQ_BASE);
            pageRequests.use(priqBase, (int) Math.min(priqBase & SmmuRegisters.Q_BASE_LOG2SIZE,
                    idr1 >>> SmmuRegisters.IDR1_PRIQS_SHIFT & 0x1f));
        }
    }

    private long allocateQueue(int log2, int entryBytes) {
        long bytes = Math.max((long) entryBytes << log2, 32);
        return frames.allocate(bytes, bytes) | log2 | SmmuRegisters.Q_BASE_RWA;
    }

    /**
     * Stops the driver and leaves the SMMU running for a successor: interrupts off and the fault thread stopped
     * (records keep queueing in memory), then the core answers every pending group, through this driver's
     * command queue, and forgets the devices. STEs, CDs and queues stay as they are.
     */
    void stop() {
        Thread thread;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            machine.removeTopologyListener(topology);
            smmu.write32(SmmuRegisters.IRQ_CTRL, 0);
            smmu.connectInterrupts(null);
        }
        synchronized (successorLock) {
            thread = faultThread;
        }
        if (thread != null) {
            thread.interrupt();
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (thread.isAlive()) {
                log.error(prefix + "fault thread did not stop within 10 s");
            }
        }
        port.close();
        byDevice.clear();
        departed.clear();
    }

    // ------------------------------------------------------------------ streams

    private void addStream(DeviceNode node, boolean keepSte) {
        int sid = node.requesterId();
        if (!streamTable.covers(sid) || (sid & 0xffff_ffffL) >= bySid.length()) {
            log.error(prefix + "device " + node.id() + ": StreamID 0x" + Integer.toHexString(sid)
                    + " is beyond the stream table");
            return;
        }
        if (bySid.get(sid) != null) {
            log.error(prefix + "device " + node.id() + ": StreamID 0x" + Integer.toHexString(sid)
                    + " already belongs to " + bySid.get(sid).node.id());
            return;
        }
        DevicePort devicePort;
        try {
            devicePort = port.addDevice(node.id());
        } catch (IllegalStateException e) {
            log.error(prefix + "device " + node.id() + " not added: " + e.getMessage());
            return;
        }
        FaultMode mode = node.pri() && priQueue ? FaultMode.PRI
                : stallModel == 2 || node.stallCapable() && stallModel == 0 ? FaultMode.STALL : FaultMode.TERMINATE;
        Stream stream = new Stream(node, mode, devicePort);
        byDevice.put(node.id(), stream);
        bySid.set(sid, stream);
        if (!keepSte) {
            writeSte(stream);
        }
    }

    /**
     * A device left: its STE aborts (CMD_CFGI_STE, CMD_SYNC), the queues are drained, the core answers its groups
     * (each stall resumed with abort), then CMD_STALL_TERM and CMD_SYNC terminate whatever stall of the stream
     * is left (IHI 4.7.2: after the STE aborts new traffic), so nothing of it waits on the next device.
     */
    private void removeStream(DeviceId id) {
        Stream stream;
        synchronized (this) {
            stream = byDevice.get(id);
            if (stream == null || !running) {
                return;
            }
            stream.stage1.clear();
            stream.stage2 = null;
            stream.nested(null);
            writeSte(stream); // abort without records from now on
        }
        drainForTeardown();
        stream.port.remove(); // answers its pending groups through this driver
        synchronized (this) {
            departed.put(id, stream);
            bySid.compareAndSet(stream.sid, stream, null);
            byDevice.remove(id, stream);
            if (stream.mode == FaultMode.STALL && stallModel != 1) { // STALL_MODEL 1: CMD_STALL_TERM is illegal
                stallsTerminated.incrementAndGet();
                Command.StallTerm term = new Command.StallTerm(stream.sid);
                commands.issueAndSync(term.dw0(), term.dw1());
            }
        }
    }

    private Stream require(DeviceId device) {
        if (!running) {
            throw new IllegalStateException(smmu.name() + " driver is stopped");
        }
        Stream stream = byDevice.get(device);
        if (stream == null) {
            throw new IllegalArgumentException(device + " is not behind " + smmu.name());
        }
        return stream;
    }

    /** Composes and writes a stream's STE from what is attached (IHI 0070 §5.2, Linux's STE builders). */
    private void writeSte(Stream s) {
        writeSte(s, s.stalls(), s.stalls());
    }

    /**
     * Writes a stream's STE with stage-1 stalls allowed or not ({@code s1Stall}: S1STALLD clear, when the SMMU
     * lets software choose) and stage-2 faults stalling or not ({@code s2Stall}: S2S).
     */
    private void writeSte(Stream s, boolean s1Stall, boolean stall) {
        boolean s1Stalld = stallModel == 0 && !s1Stall;
        int eats = s.mode == FaultMode.PRI ? StreamTableEntry.EATS_TRANS : 0;
        StreamTableEntry.Builder b = StreamTableEntry.builder();
        Stream.Nested nested = s.nested();
        if (nested != null) {
            GuestStage1 g = nested.guest();
            b.config(true, StreamTableEntry.CFG_NESTED).contextTable(g.contextTable(), g.s1Fmt(), g.s1CdMax())
                    .stage1Controls(g.s1Dss(), s1Stalld, eats).flags(s.mode == FaultMode.PRI, true);
            stage2(b, nested.tables(), nested.vmid(), stall);
        } else if (!s.stage1.isEmpty()) {
            ContextTable ct = s.contexts;
            b.config(true, s.stage2 != null ? StreamTableEntry.CFG_NESTED : StreamTableEntry.CFG_S1_TRANS)
                    .contextTable(ct.base(), ct.format(), ct.cdMax())
                    .stage1Controls(ct.cdMax() > 0 ? StreamTableEntry.S1DSS_SSID0 : 0, s1Stalld, eats)
                    .flags(s.mode == FaultMode.PRI, false);
            if (s.stage2 != null) {
                stage2(b, s.stage2.tables(), s.stage2.vmid(), stall);
            }
        } else if (s.stage2 != null) {
            b.config(true, StreamTableEntry.CFG_S2_TRANS).stage1Controls(0, false, eats)
                    .flags(s.mode == FaultMode.PRI, false);
            stage2(b, s.stage2.tables(), s.stage2.vmid(), stall);
        } else {
            b.config(true, StreamTableEntry.CFG_ABORT); // nothing attached: DMA is blocked, silently
        }
        streamTable.write(s.sid, b.build());
    }

    private void stage2(StreamTableEntry.Builder b, Stage2Tables t, int vmid, boolean stall) {
        b.stage2(vmid, 64 - t.inputBits(), 2 - t.startLevel(), oas, t.root(), stall);
    }

    // ------------------------------------------------------------------ SmmuDomains

    @Override
    public String iommuName() {
        return smmu.name();
    }

    @Override
    public List<DeviceId> devices() {
        return List.copyOf(byDevice.keySet());
    }

    @Override
    public void attachStage1(DeviceId device, int pasid, Domain domain, Stage1Tables tables) {
        if (domain.type() == DomainType.NESTED) {
            throw new IllegalArgumentException("nested domain " + domain.name() + " needs attachNested");
        }
        leaveNested(device);
        attachStage1Now(device, pasid, domain, tables);
    }

    /**
     * A stream's nested attachment is replaced by the caller's: the nested one is detached first, with its drain,
     * outside this driver's lock (a handler on the fault thread may need that lock to finish its pass).
     */
    private void leaveNested(DeviceId device) {
        boolean nested;
        synchronized (this) {
            nested = require(device).nested() != null;
        }
        if (nested) {
            detach(device, Pasid.NONE);
        }
    }

    private synchronized void attachStage1Now(DeviceId device, int pasid, Domain domain, Stage1Tables tables) {
        Stream s = require(device);
        Pasid.requireValidOrNone(pasid);
        if (domain.type() == DomainType.NESTED) {
            throw new IllegalArgumentException("nested domain " + domain.name() + " needs attachNested");
        }
        if (pasid == 0) {
            throw new IllegalArgumentException("PASID 0 is the PASID-less context: attach at Pasid.NONE");
        }
        if (domain.type() == DomainType.SVA && s.mode == FaultMode.TERMINATE) {
            // Linux arm_smmu_master_enable_iopf: I/O page faults need a stall-enabled master or PRI
            throw new IllegalArgumentException("SVA domain " + domain.name() + " needs I/O page faults, but " + device
                    + " can neither stall nor send page requests (no PRI) on " + smmu.name());
        }
        if (s.contexts == null) {
            s.contexts = new ContextTable(memory, frames, commands, s.sid, Math.min(ssidBits, 20), cd2l);
        }
        int ssid = pasid == Pasid.NONE ? 0 : pasid;
        if (!s.contexts.holds(ssid)) {
            throw new IllegalArgumentException("PASID " + Pasid.format(pasid) + " exceeds the " + s.contexts.cdMax()
                    + " SubstreamID bits of " + smmu.name());
        }
        Stream.Stage1 old = s.stage1.get(pasid);
        Stream.Stage1 attachment = new Stream.Stage1(domain, tables, old != null ? old.asid() : nextAsid++ & 0xffff);
        writeCd(s, pasid, attachment);
        s.stage1.put(pasid, attachment);
        writeSte(s);
        s.port.attach(pasid, domain);
    }

    @Override
    public void attachStage2(DeviceId device, Domain domain, Stage2Tables tables) {
        if (domain.type() == DomainType.NESTED) {
            throw new IllegalArgumentException("nested domain " + domain.name() + " needs attachNested");
        }
        leaveNested(device);
        attachStage2Now(device, domain, tables);
    }

    private synchronized void attachStage2Now(DeviceId device, Domain domain, Stage2Tables tables) {
        Stream s = require(device);
        if (domain.type() == DomainType.NESTED) {
            throw new IllegalArgumentException("nested domain " + domain.name() + " needs attachNested");
        }
        s.stage2 = new Stream.Stage2(domain, tables, s.stage2 != null ? s.stage2.vmid() : nextVmid++ & 0xffff);
        writeSte(s);
        attachPasidLess(s);
    }

    /**
     * Attaches (or re-attaches) a guest's nested domain: the STE change is made visible (CMD_CFGI_STE, CMD_SYNC),
     * the queues are drained outside this driver's lock, and then the core learns of the change, whose barrier
     * answers every group of the stage-1 PASIDs and of the previous nested attachment.
     */
    @Override
    public void attachNested(DeviceId device, Domain domain, GuestStage1 guest, Stage2Tables tables) {
        Stream s;
        List<Integer> dropped;
        synchronized (this) {
            s = require(device);
            if (domain.type() != DomainType.NESTED) {
                throw new IllegalArgumentException("domain " + domain.name() + " is " + domain.type()
                        + ", not NESTED");
            }
            dropped = List.copyOf(s.stage1.keySet());
            dropped.forEach(s.stage1::remove);
            s.stage2 = null;
            s.nested(new Stream.Nested(domain, guest, tables, nextVmid++ & 0xffff));
            writeSte(s);
        }
        drainForTeardown();
        synchronized (this) {
            for (Integer pasid : dropped) {
                if (pasid != Pasid.NONE) {
                    s.port.detach(pasid);
                }
            }
            s.port.attach(Pasid.NONE, domain);
        }
    }

    /**
     * Detaches {@code (device, pasid)}: the CD (or STE) change is made visible with CMD_CFGI_CD / CMD_CFGI_STE and
     * CMD_SYNC, the event and PRI queues are drained (see {@link #drainForTeardown}), and only then is the core
     * told, whose barrier answers everything of the old owner.
     */
    @Override
    public void detach(DeviceId device, int pasid) {
        Stream s;
        boolean nested;
        synchronized (this) {
            s = require(device);
            Pasid.requireValidOrNone(pasid);
            nested = pasid == Pasid.NONE && s.nested() != null;
            if (nested) {
                s.nested(null);
            } else if (s.stage1.remove(pasid) != null) {
                s.contexts.clear(pasid == Pasid.NONE ? 0 : pasid);
            } else if (pasid == Pasid.NONE) {
                s.stage2 = null;
            }
            writeSte(s);
        }
        drainForTeardown();
        synchronized (this) {
            if (nested || pasid != Pasid.NONE) {
                s.port.detach(pasid);
            } else {
                attachPasidLess(s);
            }
        }
    }

    /** Writes the CD of a stage-1 attachment (Linux {@code arm_smmu_make_s1_cd}); CD.S as the stream stalls now. */
    private void writeCd(Stream s, int pasid, Stream.Stage1 a) {
        s.contexts.write(pasid == Pasid.NONE ? 0 : pasid, ContextDescriptor.linux(a.tables().inputBits(), oas,
                a.asid(), a.tables().ttb0(), s.stalls()));
    }

    @Override
    public boolean canSwitchStall(DeviceId device) {
        return switchable(require(device));
    }

    /** A device that can stall (firmware), behind an SMMU that lets software choose (IDR0.STALL_MODEL = 0). */
    private boolean switchable(Stream s) {
        return s.mode == FaultMode.STALL && stallModel == 0;
    }

    /**
     * Switches stall-on-fault in the order that never shows the SMMU an illegal combination (a CD with S = 1
     * under S1STALLD = 1, IHI §5.5) and changes one STE or CD dword per step, so traffic keeps translating:
     * on: S1STALLD = 0, then S2S = 1, then every CD's S = 1; off: the reverse. Each step is followed by
     * CMD_CFGI_STE or CMD_CFGI_CD and CMD_SYNC.
     */
    @Override
    public synchronized void setStall(DeviceId device, boolean stall) {
        Stream s = require(device);
        if (!switchable(s)) {
            throw new UnsupportedOperationException(device + " on " + smmu.name() + " cannot switch stall-on-fault: "
                    + (s.mode != FaultMode.STALL ? "its faults " + (s.mode == FaultMode.PRI ? "use PRI" : "terminate")
                            : "IDR0.STALL_MODEL is " + stallModel));
        }
        s.stallOff = !stall;
        if (!stall) {
            writeCds(s);
        }
        writeSte(s, true, false); // the step between: stage-1 stalls allowed, stage-2 faults terminate
        writeSte(s);
        if (stall) {
            writeCds(s);
        }
    }

    private void writeCds(Stream s) {
        s.stage1.forEach((pasid, a) -> writeCd(s, pasid, a));
    }

    /** The core's PASID-less attachment: the PASID-less stage-1 domain, else the stage-2 domain, else none. */
    private void attachPasidLess(Stream s) {
        Stream.Stage1 s1 = s.stage1.get(Pasid.NONE);
        if (s1 != null) {
            s.port.attach(Pasid.NONE, s1.domain());
        } else if (s.stage2 != null) {
            s.port.attach(Pasid.NONE, s.stage2.domain());
        } else {
            s.port.detach(Pasid.NONE);
        }
    }

    // ------------------------------------------------------------------ responses

    /** Unhandled faults are printed here, in the kernel's format (the core does not print them again). */
    @Override
    public boolean printsUnhandledFaults() {
        return true;
    }

    @Override
    public String name() {
        return smmu.name();
    }

    @Override
    public void sendPageResponse(DeviceId device, PageResponse response) {
        Stream s = byDevice.get(device);
        if (s == null) {
            s = departed.get(device); // its STE aborts now: a retry terminates, but the device hears its answer
        }
        if (s == null) {
            lostResponses++;
            log.error(prefix + "page response for unknown device " + device);
            return;
        }
        ResponseCode code = response.code();
        if (s.mode == FaultMode.STALL) {
            boolean retry = code == ResponseCode.SUCCESS; // INVALID and FAILURE abort (Linux arm_smmu_page_response)
            commands.issueAndSync(Command.Resume.dw0(s.sid, retry, !retry), Command.Resume.dw1(response.groupId()));
        } else if (s.mode == FaultMode.PRI) {
            int resp = switch (code) {
                case SUCCESS -> Command.PriResponse.SUCCESS;
                case INVALID -> Command.PriResponse.FAIL; // PCIe Invalid Request
                case FAILURE -> Command.PriResponse.DENY; // PCIe Response Failure
            };
            boolean ssv = response.needsPasid();
            commands.issueAndSync(Command.PriResponse.dw0(s.sid, ssv, ssv ? response.pasid() : 0),
                    Command.PriResponse.dw1(response.groupId(), resp));
        } else {
            lostResponses++;
            log.error(prefix + "page response for " + device + ", which neither stalls nor uses PRI");
        }
    }

    // ------------------------------------------------------------------ fault thread

    private void faultLoop() {
        while (running) {
            try {
                kick.tryAcquire(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
            kick.drainPermits();
            if (!running) {
                break;
            }
            if (!service()) {
                return; // a handler holds this thread: a successor goes on with the queues
            }
        }
    }

    /** What the fault thread does after a kick, for a driver without threads: a pass, unless it stopped. */
    void pass() {
        if (running) {
            service();
        }
    }

    /**
     * One pass over the event queue, the PRI queue and GERROR.
     *
     * @return {@code false} if a handler held a report of this pass so long that the pass went to a fresh thread
     */
    boolean service() {
        queues.enter();
        if (!passOverQueues()) {
            return false;
        }
        queues.leave();
        return true;
    }

    private boolean passOverQueues() {
        if (!drainEvents()) {
            return false;
        }
        if (priQueue && !drainPageRequests()) {
            return false;
        }
        checkGlobalErrors();
        return true;
    }

    /**
     * The core found a report of this driver held by an inline handler past its blocking threshold: unless too
     * many threads are held already, the fault thread is left to the handler and a fresh one steps past the
     * record in flight (reported once; the core answers its group) and goes on with the queues, so the other
     * devices behind this SMMU are not held up.
     */
    @Override
    public void reportingThreadBlocked() {
        synchronized (successorLock) {
            QueueReader stuck = inFlight;
            if (startSuccessor != null) {
                // a simulation: its scheduler runs the successor, which takes the pass as a fresh thread would
                if (!running || !queues.abandonReport()) {
                    return;
                }
                startSuccessor.accept(() -> {
                    queues.adopt();
                    stepPast(stuck);
                    queues.leave();
                    kicked.run();
                });
            } else {
                Thread successor = running ? queues.handOver(smmu.name() + "-evtq-" + (successors + 1),
                        () -> stepPast(stuck), () -> {
                            kick.release();
                            faultLoop();
                        }) : null;
                if (successor == null) {
                    return;
                }
                faultThread = successor;
            }
            successors++;
        }
        log.warn(prefix + "a handler holds the fault thread; the event and PRI queues go on on a fresh thread");
    }

    /**
     * A successor's first step: past the record in flight, published at once (CONS), so that a driver started
     * after this one stops before the successor's first pass does not read that record again and report it twice.
     */
    private static void stepPast(QueueReader stuck) {
        stuck.advance();
        stuck.publish();
    }

    /**
     * The drain of a change of owner, after the configuration change was made visible (CMD_CFGI_CD or
     * CMD_CFGI_STE, and CMD_SYNC): consumes the event and PRI queues (waiting for a pass the fault thread is in),
     * so that the stalls and page requests the old configuration produced are reported under the old owner and
     * answered by the core's barrier (CMD_RESUME with abort, CMD_PRI_RESP InvalidRequest), never by the next
     * owner. Stop Markers in the queue are dropped as always. From inside a handler call on the fault thread the
     * pass in progress goes on by itself. A pass held up by a handler call that blocks is waited for at most the
     * sync timeout; then the teardown goes on without the drain (logged, counted), so it never hangs.
     */
    private void drainForTeardown() {
        teardownDrains.incrementAndGet();
        if (queues.heldByCurrentThread() || !running) {
            return;
        }
        long deadline = System.nanoTime() + syncTimeoutNanos;
        boolean abandoned = false;
        do {
            try {
                if (!queues.enter(Math.max(0, deadline - System.nanoTime()))) {
                    teardownDrainsTimedOut.incrementAndGet();
                    log.error(prefix + "teardown: the fault thread's pass over the queues did not end in time;"
                            + " records of the old owner may reach the next one");
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            // a handler may hold a report of this pass so long that a successor takes the rest: wait for it
            abandoned = !passOverQueues();
        } while (abandoned);
        queues.leave();
    }

    /** Whether a teardown waits for the fault thread's pass over the queues (for tests). */
    boolean teardownWaitsForTheFaultThread() {
        return queues.contended();
    }

    /** @return {@code false} if the pass was abandoned to a successor */
    private boolean drainEvents() {
        int drained = drain(events, EventRecord.BYTES, "EVTQ overflow detected -- events lost");
        if (drained == OVERFLOWED) {
            eventOverflows++;
            port.reportOverflow(FaultQueue.FAULT_RECORDS);
        }
        return drained != ABANDONED;
    }

    /** @return {@code false} if the pass was abandoned to a successor */
    private boolean drainPageRequests() {
        int drained = drain(pageRequests, PriEntry.BYTES, "PRIQ overflow detected -- requests lost");
        if (drained == OVERFLOWED) {
            priOverflows++;
            port.reportOverflow(FaultQueue.PAGE_REQUESTS);
            port.discardPartials(); // groups whose last request may have been lost (IHI 0070 §8.1.1)
        }
        return drained != ABANDONED;
    }

    /**
     * Consumes every entry of {@code queue} until it stays empty, publishing CONS after each batch (which also
     * acknowledges an overflow). An overflow episode is logged once, when first seen. Each entry is reported
     * inside {@link QueuePass#reportStarts()} / {@link QueuePass#reportEnded()}.
     *
     * @return {@link #DRAINED}, {@link #OVERFLOWED} (a new overflow episode was seen), or {@link #ABANDONED} (a
     *     handler held an entry's report so long that the pass went to a fresh thread: leave the queue alone)
     */
    private int drain(QueueReader queue, int entryBytes, String overflowLine) {
        boolean overflow = false;
        while (true) {
            if (queue.syncProducer()) {
                overflow = true;
                log.error(prefix + overflowLine);
            }
            if (!queue.hasEntry()) {
                queue.publish();
                return overflow ? OVERFLOWED : DRAINED;
            }
            while (queue.hasEntry()) {
                long at = queue.entry();
                inFlight = queue;
                queues.reportStarts();
                try {
                    if (entryBytes == EventRecord.BYTES) {
                        handleEvent(memory.read64(at), memory.read64(at + 8), memory.read64(at + 16),
                                memory.read64(at + 24));
                    } else {
                        handlePageRequest(memory.read64(at), memory.read64(at + 8));
                    }
                } catch (RuntimeException e) {
                    malformedRecords++;
                    log.error(prefix + "queue entry at 0x" + Long.toHexString(at) + " not handled: " + e);
                }
                if (!queues.reportEnded()) {
                    return ABANDONED;
                }
                queue.advance();
            }
            queue.publish();
        }
    }

    private Stream stream(int sid) {
        long s = sid & 0xffff_ffffL;
        return s < bySid.length() ? bySid.get((int) s) : null;
    }

    /** Routes one event record (Linux {@code arm_smmu_handle_event}). */
    void handleEvent(long dw0, long dw1, long dw2, long dw3) {
        int id = EventRecord.id(dw0);
        int sid = EventRecord.sid(dw0);
        boolean ssv = EventRecord.ssv(dw0);
        int pasid = ssv || id == EventType.C_BAD_SUBSTREAMID.id() ? EventRecord.ssid(dw0) : Pasid.NONE;
        boolean translationFault = id >= EventType.F_TRANSLATION.id() && id <= EventType.F_PERMISSION.id();
        boolean stall = translationFault && (dw1 & EventRecord.EVTQ_1_STALL) != 0;
        Stream s = stream(sid);
        if (s == null) {
            unassignedRecords++;
            if (stall) {
                commands.issueAndSync(Command.Resume.dw0(sid, false, true), Command.Resume.dw1(EventRecord.stag(dw1)));
            }
            printer.event(dw0, dw1, dw2, dw3, null);
            return;
        }
        Permissions permissions = permissions(id, dw1);
        if (stall) {
            if (s.mode != FaultMode.STALL) {
                commands.issueAndSync(Command.Resume.dw0(sid, false, true), Command.Resume.dw1(EventRecord.stag(dw1)));
                printer.event(dw0, dw1, dw2, dw3, s.client);
                return;
            }
            stallsReported++;
            ReportOutcome outcome = s.port.reportPageRequest(pasid, EventRecord.stag(dw1), PageRequest.FLAG_LAST_PAGE,
                    permissions, dw2, 0, 0);
            if (outcome == ReportOutcome.NO_HANDLER && !s.guestOwned) {
                printer.event(dw0, dw1, dw2, dw3, s.client);
            }
            return;
        }
        boolean s2 = (dw1 & EventRecord.EVTQ_1_S2) != 0;
        if (s.guestOwned) {
            if (s2 || !EventType.of(id).handledByLinux()) {
                // the host's own faults (stage 2, fetches): printed, under the guest's own limit
                Stream.Nested nested = s.nested();
                if (nested != null) {
                    printer.guestEvent(nested.domain().guest(), dw0, dw1, dw2, dw3, s.client);
                } else {
                    printer.event(dw0, dw1, dw2, dw3, s.client);
                }
                return;
            }
            guestFaultsForwarded++; // the guest's stage-1 / CD faults: to its vIOMMU, never printed here
            s.port.reportUnrecoverable(flags(id, pasid), pasid, permissions, address(id, dw2),
                    fetchAddress(id, dw3), HardwareRecord.of(EventRecord.FORMAT, dw0, dw1, dw2, dw3));
            return;
        }
        unrecoverableReported++;
        ReportOutcome outcome = s.port.reportUnrecoverable(flags(id, pasid), pasid, permissions, address(id, dw2),
                fetchAddress(id, dw3), HardwareRecord.NONE);
        if (outcome == ReportOutcome.NO_HANDLER || outcome == ReportOutcome.REJECTED) {
            printer.event(dw0, dw1, dw2, dw3, s.client);
        }
    }

    private static int flags(int id, int pasid) {
        return (pasid != Pasid.NONE ? UnrecoverableFault.PASID_VALID : 0)
                | (hasInputAddress(id) ? UnrecoverableFault.ADDR_VALID : 0)
                | (hasFetchAddress(id) ? UnrecoverableFault.FETCH_ADDR_VALID : 0);
    }

    private static long address(int id, long dw2) {
        return hasInputAddress(id) ? dw2 : 0;
    }

    private static long fetchAddress(int id, long dw3) {
        return hasFetchAddress(id) ? dw3 & EventRecord.EVTQ_3_FETCH_ADDR : 0;
    }

    /** Routes one PRI queue entry. */
    void handlePageRequest(long dw0, long dw1) {
        int sid = (int) dw0;
        boolean ssv = (dw0 & PriEntry.PRIQ_0_SSID_V) != 0;
        boolean last = (dw0 & PriEntry.PRIQ_0_PRG_LAST) != 0;
        boolean read = (dw0 & PriEntry.PRIQ_0_PERM_READ) != 0;
        boolean write = (dw0 & PriEntry.PRIQ_0_PERM_WRITE) != 0;
        int ssid = (int) (dw0 >>> 32) & 0xfffff;
        int prgIndex = (int) (dw1 & PriEntry.PRIQ_1_PRG_IDX);
        if (ssv && last && !read && !write) {
            stopMarkers++; // never answered (PCIe Stop Marker)
            return;
        }
        Stream s = stream(sid);
        if (s == null || s.mode != FaultMode.PRI) {
            unassignedRecords++;
            printer.unexpectedPri(dw0, dw1);
            if (last) { // as Linux: deny, which stops PRI on the function
                commands.issueAndSync(Command.PriResponse.dw0(sid, ssv, ssv ? ssid : 0),
                        Command.PriResponse.dw1(prgIndex, Command.PriResponse.DENY));
            }
            return;
        }
        int bits = (read ? Permission.READ.bit() : 0) | (write ? Permission.WRITE.bit() : 0)
                | ((dw0 & PriEntry.PRIQ_0_PERM_EXEC) != 0 ? Permission.EXEC.bit() : 0)
                | ((dw0 & PriEntry.PRIQ_0_PERM_PRIV) != 0 ? Permission.PRIV.bit() : 0);
        int flags = (last ? PageRequest.FLAG_LAST_PAGE : 0) | (ssv ? PageRequest.FLAG_RESPONSE_NEEDS_PASID : 0);
        pageRequestsReported++;
        s.port.reportPageRequest(ssv ? ssid : Pasid.NONE, prgIndex, flags, Permissions.of(bits),
                dw1 & PriEntry.PRIQ_1_ADDR_MASK, 0, 0);
    }

    /** RnW/InD/PnU as Linux permissions, for the events that carry them. */
    private static Permissions permissions(int id, long dw1) {
        if (!hasInputAddress(id)) {
            return Permissions.NONE;
        }
        int bits = ((dw1 & EventRecord.EVTQ_1_RNW) != 0 ? Permission.READ.bit() : Permission.WRITE.bit())
                | ((dw1 & EventRecord.EVTQ_1_IND) != 0 ? Permission.EXEC.bit() : 0)
                | ((dw1 & EventRecord.EVTQ_1_PNU) != 0 ? Permission.PRIV.bit() : 0);
        return Permissions.of(bits);
    }

    /** Events whose dword 2 is the transaction's input address (IHI 0070 §7.3.2-7.3.21). */
    private static boolean hasInputAddress(int id) {
        return id >= EventType.F_TRANSLATION.id() && id <= EventType.F_PERMISSION.id()
                || id == EventType.F_WALK_EABT.id() || id == EventType.F_UUT.id()
                || id == EventType.F_TRANSL_FORBIDDEN.id() || id == EventType.F_BAD_ATS_TREQ.id();
    }

    /** Events whose dword 3 is a fetch address. */
    private static boolean hasFetchAddress(int id) {
        return id == EventType.F_STE_FETCH.id() || id == EventType.F_CD_FETCH.id()
                || id == EventType.F_VMS_FETCH.id() || id == EventType.F_WALK_EABT.id();
    }

    /** Linux {@code arm_smmu_gerror_handler}. */
    private void checkGlobalErrors() {
        int gerror = smmu.read32(SmmuRegisters.GERROR);
        int active = gerror ^ smmu.read32(SmmuRegisters.GERRORN);
        if ((active & SmmuRegisters.GERROR_ERR_MASK) == 0) {
            return;
        }
        log.warn(prefix + String.format("unexpected global error reported (0x%08x), this could be serious", active));
        if ((active & SmmuRegisters.GERROR_EVTQ_ABT_ERR) != 0) {
            log.error(prefix + "EVTQ write aborted -- events may have been lost");
        }
        if ((active & SmmuRegisters.GERROR_PRIQ_ABT_ERR) != 0) {
            log.error(prefix + "PRIQ write aborted -- events may have been lost");
        }
        if ((active & SmmuRegisters.GERROR_SFM_ERR) != 0) {
            log.error(prefix + "device has entered Service Failure Mode!");
        }
        if ((active & SmmuRegisters.GERROR_CMDQ_ERR) != 0) {
            commands.recover();
        }
        smmu.write32(SmmuRegisters.GERRORN, gerror);
    }

    // ------------------------------------------------------------------ statistics

    /** What the shell shows: streams, stalls, counters. */
    synchronized SmmuStatus status() {
        List<SmmuStatus.StreamStatus> streams = new ArrayList<>();
        for (Stream s : byDevice.values()) {
            List<String> attached = new ArrayList<>();
            s.stage1.forEach((pasid, a) -> attached.add("s1 " + Pasid.format(pasid) + "=" + a.domain().name()));
            if (s.stage2 != null) {
                attached.add("s2=" + s.stage2.domain().name());
            }
            if (s.nested() != null) {
                attached.add("nested=" + s.nested().domain().name());
            }
            streams.add(new SmmuStatus.StreamStatus(s.node.id().toString(), "0x" + Integer.toHexString(s.sid),
                    s.mode.name(), attached.isEmpty() ? "(blocked)" : String.join(", ", attached)));
        }
        return new SmmuStatus(smmu.name(), streams, smmu.stalledTransactions(), statistics(), smmu.statistics());
    }

    /** The driver's counters, for the shell and tests. */
    DriverStatistics statistics() {
        long[] printed = printer.counts();
        long[] cmd = commands.failures();
        return new DriverStatistics(stallsReported, pageRequestsReported, unrecoverableReported,
                guestFaultsForwarded, unassignedRecords, stopMarkers, eventOverflows, priOverflows, malformedRecords,
                printed[0], printed[1], lostResponses, cmd[0], cmd[1], adopted, teardownDrains.get(),
                teardownDrainsTimedOut.get(), stallsTerminated.get(), queues.abandoned(), queues.blocked(),
                queues.refused());
    }
}
