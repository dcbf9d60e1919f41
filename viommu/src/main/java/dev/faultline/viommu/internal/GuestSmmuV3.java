package dev.faultline.viommu.internal;

import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0ACK;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_CMDQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_EVTQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_SMMUEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR1;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR2;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GBPA;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GERROR;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GERRORN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GERROR_CMDQ_ERR;
import static dev.faultline.platform.smmuv3.SmmuRegisters.IDR0;
import static dev.faultline.platform.smmuv3.SmmuRegisters.IDR1;
import static dev.faultline.platform.smmuv3.SmmuRegisters.IDR5;
import static dev.faultline.platform.smmuv3.SmmuRegisters.IRQ_CTRL;
import static dev.faultline.platform.smmuv3.SmmuRegisters.IRQ_CTRLACK;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE_CFG;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.StreamBinder;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualSmmuStatistics;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.VirtualSte;
import dev.faultline.viommu.WritableGuestMemory;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * A guest-programmed virtual SMMUv3 (IHI 0070): registers, linear stream table, linear CD tables, command queue
 * and event queue in guest memory, stage 1 only, stalls but no ATS or PRI. See {@link VirtualSmmuV3}.
 *
 * <p><b>Locking.</b> One lock guards the registers, streams, tags and the event ring. The vIOMMU is polled
 * outside it; answers ({@link VirtualIommu#respond}) and the binder are called under it, and neither calls back
 * into this object.
 *
 * <p><b>Size.</b> One class because one lock guards what the guest programs (registers, stream and CD tables, the two
 * rings, stall tags), and each guest-written field is validated beside the register or command it arrives in; record
 * building, walks and formats are their own classes.
 */
final class GuestSmmuV3 implements VirtualSmmuV3 {
    /** IDR1.SIDSIZE: 16-bit virtual StreamIDs. */
    static final int SID_BITS = 16;
    /** IDR1.SSIDSIZE: 8-bit SubstreamIDs (PASIDs 1..255 through a linear CD table). */
    static final int SSID_BITS = 8;
    /** IDR1.EVTQS and CMDQS: up to 256 records / commands. */
    static final int QUEUE_BITS = 8;
    /**
     * IDR0: S1P, TTF = AArch64, COHACC, STALL_MODEL 0 (stall and terminate); no S2P, ATS, PRI, CD2L, or
     * two-level stream table (IHI 0070 §6.3.1).
     */
    private static final int IDR0_VALUE = SmmuRegisters.IDR0_S1P | SmmuRegisters.IDR0_TTF_AARCH64
            | SmmuRegisters.IDR0_COHACC;
    private static final int IDR1_VALUE = SID_BITS | SSID_BITS << SmmuRegisters.IDR1_SSIDSIZE_SHIFT
            | QUEUE_BITS << SmmuRegisters.IDR1_EVTQS_SHIFT | QUEUE_BITS << SmmuRegisters.IDR1_CMDQS_SHIFT;
    /** IDR5: OAS 48 bits (5), GRAN4K, STALL_MAX. */
    private static final int IDR5_VALUE = 5 | SmmuRegisters.IDR5_GRAN4K | 64 << SmmuRegisters.IDR5_STALL_MAX_SHIFT;
    /** CR0 fields the virtual SMMU implements: SMMUEN, EVENTQEN, CMDQEN (PRIQEN and ATSCHK need PRI / ATS). */
    private static final int CR0_IMPLEMENTED = CR0_SMMUEN | CR0_EVTQEN | CR0_CMDQEN;
    /** IRQ_CTRL: GERROR_IRQEN and EVENTQ_IRQEN. */
    private static final int IRQ_CTRL_IMPLEMENTED = SmmuRegisters.IRQ_CTRL_GERROR_IRQEN
            | SmmuRegisters.IRQ_CTRL_EVTQ_IRQEN;
    /** GERROR.MSI_CMDQ_ABT_ERR: a CMD_SYNC's MSI write aborted. */
    private static final int GERROR_MSI_CMDQ_ABT_ERR = 1 << 4;
    /** STRTAB_BASE_CFG: LOG2SIZE [5:0], SPLIT [10:6], FMT [17:16]. */
    private static final int STRTAB_BASE_CFG_FIELDS = 0x3_07ff;
    /** _BASE registers: ADDR [51:5] or [51:6], RA / RWA (bit 62), LOG2SIZE [4:0]. */
    private static final long Q_BASE_FIELDS = SmmuRegisters.Q_BASE_ADDR_MASK | SmmuRegisters.Q_BASE_RWA
            | SmmuRegisters.Q_BASE_LOG2SIZE;
    private static final long STRTAB_BASE_FIELDS = SmmuRegisters.STRTAB_BASE_ADDR_MASK
            | SmmuRegisters.STRTAB_BASE_RA;
    private static final int COMMAND_BYTES = Command.BYTES;
    /** CMD_RESUME dw0 fields: opcode, SSec (10), Ac/Ab [13:12], StreamID; dw1: STAG [15:0]. */
    private static final long RESUME_DW0_FIELDS = 0xffff_ffff_0000_34ffL;

    private final VirtualIommu viommu;
    private final WritableGuestMemory memory;
    private final StreamBinder binder;
    private final Object lock = new Object();
    private final GuestEventRing events;
    private final StallTags tags;
    private final Map<Integer, Stream> streams = new HashMap<>();
    private final ArrayDeque<long[]> waitingStalls = new ArrayDeque<>();
    private final Counters counters = new Counters();

    private int cr0;
    private int cr2;
    private int gbpa;
    private int irqCtrl;
    private int gerror;
    private int gerrorn;
    private long strtabBase;
    private int strtabBaseCfg;
    private int strtabLog2Size;
    private long cmdqBase;
    private int cmdqProd;
    private int cmdqCons;
    private long evtqBase;

    /** One virtual stream: its device, what is installed for it, and the guest's CDs by PASID. */
    private static final class Stream {
        final DeviceId device;
        final int sid;
        VirtualSte installed = VirtualSte.ABORT;
        Map<Integer, ArmStage1Context> contexts = Map.of();

        Stream(DeviceId device, int sid) {
            this.device = device;
            this.sid = sid;
        }
    }

    /** Counters; guarded by the lock. */
    private static final class Counters {
        long commands;
        long commandErrors;
        long syncs;
        long stesInstalled;
        long stesRefused;
        long registerWritesRefused;
        long eventsWritten;
        long eventsMerged;
        long eventsDiscarded;
        long overflows;
        long stallsTerminated;
        long resumes;
        long resumesRefused;
    }

    GuestSmmuV3(VirtualIommu viommu, WritableGuestMemory memory, StreamBinder binder, int maxStalls) {
        this.viommu = Objects.requireNonNull(viommu, "viommu");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.binder = Objects.requireNonNull(binder, "binder");
        this.events = new GuestEventRing(memory);
        this.tags = new StallTags(maxStalls);
    }

    @Override
    public VirtualIommu viommu() {
        return viommu;
    }

    @Override
    public void addStream(DeviceId device, int virtualSid) {
        Objects.requireNonNull(device, "device");
        if (virtualSid < 0 || virtualSid >= 1 << SID_BITS) {
            throw new IllegalArgumentException("virtual StreamID 0x" + Integer.toHexString(virtualSid)
                    + " does not fit the virtual SMMU's " + SID_BITS + "-bit SIDSIZE");
        }
        synchronized (lock) {
            viommu.addDevice(device, virtualSid);
            Stream s = new Stream(device, virtualSid);
            streams.put(virtualSid, s);
            if ((cr0 & CR0_SMMUEN) != 0) {
                configure(s);
            }
        }
    }

    // ---- registers ------------------------------------------------------------------------------------------

    @Override
    public int read32(int offset) {
        synchronized (lock) {
            return switch (offset) {
                case IDR0 -> IDR0_VALUE;
                case IDR1 -> IDR1_VALUE;
                case IDR5 -> IDR5_VALUE;
                case CR0 -> cr0;
                case CR0ACK -> cr0;
                case CR2 -> cr2;
                case GBPA -> gbpa;
                case IRQ_CTRL, IRQ_CTRLACK -> irqCtrl;
                case GERROR -> gerror;
                case GERRORN -> gerrorn;
                case STRTAB_BASE_CFG -> strtabBaseCfg;
                case CMDQ_PROD -> cmdqProd;
                case CMDQ_CONS -> cmdqCons;
                case EVENTQ_PROD -> events.prod();
                case EVENTQ_CONS -> events.cons();
                default -> 0;
            };
        }
    }

    @Override
    public long read64(int offset) {
        synchronized (lock) {
            return switch (offset) {
                case STRTAB_BASE -> strtabBase;
                case CMDQ_BASE -> cmdqBase;
                case EVENTQ_BASE -> evtqBase;
                default -> read32(offset) & 0xffff_ffffL;
            };
        }
    }

    @Override
    public void write32(int offset, int value) {
        synchronized (lock) {
            switch (offset) {
                case CR0 -> writeCr0(value);
                case CR1 -> accept(true);
                case CR2 -> cr2 = value & SmmuRegisters.CR2_RECINVSID;
                case GBPA -> gbpa = value & ~SmmuRegisters.GBPA_UPDATE;
                case IRQ_CTRL -> {
                    accept((value & ~IRQ_CTRL_IMPLEMENTED) == 0);
                    irqCtrl = value & IRQ_CTRL_IMPLEMENTED;
                }
                case GERRORN -> writeGerrorn(value);
                case STRTAB_BASE_CFG -> writeStrtabBaseCfg(value);
                case CMDQ_PROD -> writeCmdqProd(value);
                case CMDQ_CONS -> writeCmdqCons(value);
                case EVENTQ_PROD -> accept(events.initialiseProd(value));
                case EVENTQ_CONS -> {
                    accept(events.consume(value));
                    writeWaitingStalls();
                }
                default -> accept(false); // ID, ACK, GERROR and unknown registers are not the guest's to write
            }
        }
    }

    @Override
    public void write64(int offset, long value) {
        synchronized (lock) {
            switch (offset) {
                case STRTAB_BASE -> {
                    if (accept((cr0 & CR0_SMMUEN) == 0 && (value & ~STRTAB_BASE_FIELDS) == 0)) {
                        strtabBase = value;
                    }
                }
                case CMDQ_BASE -> {
                    if (accept((cr0 & CR0_CMDQEN) == 0 && (value & ~Q_BASE_FIELDS) == 0)) {
                        cmdqBase = value;
                    }
                }
                case EVENTQ_BASE -> {
                    if (accept((cr0 & CR0_EVTQEN) == 0 && (value & ~Q_BASE_FIELDS) == 0)) {
                        evtqBase = value;
                        events.size(queueLog2Size(value));
                    }
                }
                default -> accept(false);
            }
        }
    }

    /** Counts a refused write; returns {@code ok}. */
    private boolean accept(boolean ok) {
        if (!ok) {
            counters.registerWritesRefused++;
        }
        return ok;
    }

    /** LOG2SIZE of a queue base, at most the IDR1 maximum (a larger value behaves as the maximum, IHI §6.3.26). */
    private static int queueLog2Size(long base) {
        return (int) Math.min(base & SmmuRegisters.Q_BASE_LOG2SIZE, QUEUE_BITS);
    }

    private static long queueAddress(long base) {
        return base & SmmuRegisters.Q_BASE_ADDR_MASK;
    }

    private void writeCr0(int value) {
        accept((value & ~CR0_IMPLEMENTED) == 0);
        int want = value & CR0_IMPLEMENTED;
        int was = cr0;
        int now = was & want; // what stays on; enables are checked one by one
        if ((want & ~was & CR0_CMDQEN) != 0 && accept(commandQueueFits())) {
            now |= CR0_CMDQEN;
        }
        if ((want & ~was & CR0_EVTQEN) != 0
                && accept(events.enable(queueAddress(evtqBase), queueLog2Size(evtqBase)))) {
            now |= CR0_EVTQEN;
        }
        if ((want & ~was & CR0_SMMUEN) != 0 && accept(streamTableFits())) {
            now |= CR0_SMMUEN;
        }
        cr0 = now;
        if ((was & CR0_EVTQEN) != 0 && (now & CR0_EVTQEN) == 0) {
            events.disable();
            terminateWaitingStalls();
        }
        if (((was ^ now) & CR0_SMMUEN) != 0) {
            for (Stream s : streams.values()) {
                configure(s);
            }
        }
        if ((now & ~was & CR0_CMDQEN) != 0) {
            consumeCommands();
        }
    }

    private boolean commandQueueFits() {
        int log2 = queueLog2Size(cmdqBase);
        long bytes = (long) COMMAND_BYTES << log2;
        long at = queueAddress(cmdqBase);
        return (at & (bytes - 1)) == 0 && memory.contains(at) && memory.contains(at + bytes - Long.BYTES);
    }

    private boolean streamTableFits() {
        int fmt = strtabBaseCfg >>> SmmuRegisters.STRTAB_BASE_CFG_FMT_SHIFT & 3;
        int log2 = strtabBaseCfg & SmmuRegisters.STRTAB_BASE_CFG_LOG2SIZE;
        if (fmt != GuestStreamTable.FMT_LINEAR || log2 > SID_BITS) {
            return false;
        }
        long base = strtabBase & SmmuRegisters.STRTAB_BASE_ADDR_MASK;
        if (!GuestStreamTable.fits(memory, base, log2)) {
            return false;
        }
        strtabLog2Size = log2;
        return true;
    }

    private void writeStrtabBaseCfg(int value) {
        if (accept((cr0 & CR0_SMMUEN) == 0 && (value & ~STRTAB_BASE_CFG_FIELDS) == 0)) {
            strtabBaseCfg = value;
        }
    }

    private void writeGerrorn(int value) {
        accept((value & ~SmmuRegisters.GERROR_ERR_MASK) == 0);
        gerrorn = value & SmmuRegisters.GERROR_ERR_MASK;
        if (((gerror ^ gerrorn) & GERROR_CMDQ_ERR) == 0 && commandError() != SmmuRegisters.CERROR_NONE) {
            // acknowledged: the queue restarts at CONS, with the command the guest may have replaced
            cmdqCons &= ~(0x7f << SmmuRegisters.CMDQ_CONS_ERR_SHIFT);
            consumeCommands();
        }
    }

    private int commandError() {
        return cmdqCons >>> SmmuRegisters.CMDQ_CONS_ERR_SHIFT & 0x7f;
    }

    private void writeCmdqProd(int value) {
        int log2 = queueLog2Size(cmdqBase);
        if (accept((value & ~((2 << log2) - 1)) == 0)) {
            cmdqProd = value;
            consumeCommands();
        }
    }

    private void writeCmdqCons(int value) {
        int log2 = queueLog2Size(cmdqBase);
        if (accept((cr0 & CR0_CMDQEN) == 0 && (value & ~((2 << log2) - 1)) == 0)) {
            cmdqCons = value; // software initialises CONS while the queue is disabled
        }
    }

    // ---- commands -------------------------------------------------------------------------------------------

    /** Consumes commands from CONS to PROD, at most one queue's worth, stopping at the first illegal one. */
    private void consumeCommands() {
        if ((cr0 & CR0_CMDQEN) == 0 || commandError() != SmmuRegisters.CERROR_NONE) {
            return;
        }
        int log2 = queueLog2Size(cmdqBase);
        long base = queueAddress(cmdqBase);
        while (!QueuePointer.empty(cmdqProd, cmdqCons, log2)) {
            long at = base + (long) COMMAND_BYTES * QueuePointer.index(cmdqCons, log2);
            long dw0 = memory.read64(at);
            long dw1 = memory.read64(at + Long.BYTES);
            counters.commands++;
            if (!execute(Command.decode(dw0, dw1), dw0, dw1)) {
                counters.commandErrors++;
                cmdqCons = QueuePointer.position(cmdqCons, log2)
                        | SmmuRegisters.CERROR_ILL << SmmuRegisters.CMDQ_CONS_ERR_SHIFT;
                gerror ^= GERROR_CMDQ_ERR & ~(gerror ^ gerrorn); // raise unless already active
                return;
            }
            cmdqCons = QueuePointer.increment(cmdqCons, log2);
        }
    }

    /** Executes one command; false for CERROR_ILL. */
    private boolean execute(Command command, long dw0, long dw1) {
        if (command instanceof Command.ConfigInvalidation c) {
            return invalidateConfiguration(c);
        }
        if (command instanceof Command.Invalidation i) {
            return stage1TlbInvalidation(i.opcode());
        }
        if (command instanceof Command.Resume r) {
            return (dw0 & ~RESUME_DW0_FIELDS) == 0 && (dw1 & ~0xffffL) == 0 && sidInRange(r.sid()) && resume(r);
        }
        if (command instanceof Command.StallTerm t) {
            return sidInRange(t.sid()) && terminateStalls(t.sid());
        }
        if (command instanceof Command.Sync sync) {
            return sync(sync);
        }
        return false; // CMD_PRI_RESP without PRI (IDR0.PRI = 0), or an opcode the SMMU does not implement
    }

    private static boolean sidInRange(int sid) {
        return sid >= 0 && sid < 1 << SID_BITS;
    }

    /** TLB invalidations of stage 1 complete at once (no TLB); EL2, EL3, stage-2 and ATC ones need features the
     * virtual SMMU lacks (HYP, S2P, ATS) and are illegal. */
    private static boolean stage1TlbInvalidation(int opcode) {
        return opcode == Command.OP_TLBI_NH_ALL || opcode == Command.OP_TLBI_NH_ASID
                || opcode == Command.OP_TLBI_NH_VA || opcode == 0x13 /* CMD_TLBI_NH_VAA */
                || opcode == Command.OP_TLBI_NSNH_ALL;
    }

    private boolean invalidateConfiguration(Command.ConfigInvalidation c) {
        switch (c.opcode()) {
            case Command.OP_PREFETCH_CFG:
                return sidInRange(c.sid());
            case Command.OP_CFGI_STE:
                if (!sidInRange(c.sid())) {
                    return false;
                }
                Stream s = streams.get(c.sid());
                if (s != null) {
                    configure(s);
                }
                return true;
            case Command.OP_CFGI_ALL: {
                // CMD_CFGI_STE_RANGE: 2^(Range + 1) StreamIDs from StreamID aligned down; Range 31 = all
                long span = c.range() >= SID_BITS - 1 ? 1L << SID_BITS : 2L << c.range();
                long first = (c.sid() & 0xffff_ffffL) & -span;
                for (Stream each : streams.values()) {
                    if (each.sid >= first && each.sid < first + span) {
                        configure(each);
                    }
                }
                return true;
            }
            case Command.OP_CFGI_CD:
            case Command.OP_CFGI_CD_ALL:
                if (!sidInRange(c.sid()) || c.ssid() >= 1 << SSID_BITS) {
                    return false;
                }
                Stream stream = streams.get(c.sid());
                if (stream != null) {
                    rereadCds(stream);
                }
                return true;
            default:
                return false;
        }
    }

    private boolean sync(Command.Sync s) {
        if (s.cs() == 3) {
            return false; // reserved CS
        }
        if (s.cs() == Command.Sync.CS_IRQ) {
            // the MSI write: MSIData, 32 bits at MSIAddress ([51:2]), into guest memory
            long at = s.msiAddress();
            long word = at & ~7L;
            if (memory.contains(word)) {
                int shift = (int) (at & 4) * 8;
                long old = memory.read64(word);
                memory.write64(word, (old & ~(0xffff_ffffL << shift)) | (s.msiData() & 0xffff_ffffL) << shift);
            } else {
                gerror ^= GERROR_MSI_CMDQ_ABT_ERR & ~(gerror ^ gerrorn);
            }
        }
        counters.syncs++;
        return true;
    }

    // ---- configuration --------------------------------------------------------------------------------------

    /** Reads the stream's STE (abort while the SMMU is disabled) and installs it if it changed. */
    private void configure(Stream s) {
        GuestStreamTable.Read read = (cr0 & CR0_SMMUEN) == 0 ? GuestStreamTable.Read.ABORT
                : GuestStreamTable.readSte(memory, strtabBase & SmmuRegisters.STRTAB_BASE_ADDR_MASK,
                        strtabLog2Size, s.sid, SSID_BITS);
        if (read.refused()) {
            counters.stesRefused++;
        }
        VirtualSte ste = read.ste();
        if (!ste.equals(s.installed)) {
            // a change of owner for the host, which answers the stream's held groups; its STAGs die with them
            tags.takeAll(s.sid);
            waitingStalls.removeIf(w -> EventRecord.sid(w[0]) == s.sid);
            try {
                binder.bind(s.device, ste);
                counters.stesInstalled++;
                s.installed = ste;
            } catch (RuntimeException e) {
                counters.stesRefused++;
                s.installed = abortAfterRefusal(s);
            }
        }
        rereadCds(s);
    }

    private VirtualSte abortAfterRefusal(Stream s) {
        try {
            binder.bind(s.device, VirtualSte.ABORT);
        } catch (RuntimeException e) {
            counters.stesRefused++;
        }
        return VirtualSte.ABORT;
    }

    /** Re-reads the stream's CDs and gives the vIOMMU the stage-1 contexts it diagnoses faults with. */
    private void rereadCds(Stream s) {
        long[] refused = new long[1];
        Map<Integer, ArmStage1Context> now = GuestStreamTable.readCds(memory, s.installed, refused);
        counters.stesRefused += refused[0];
        for (Integer pasid : s.contexts.keySet()) {
            if (!now.containsKey(pasid)) {
                viommu.clearStage1(s.sid, pasid);
            }
        }
        try {
            for (Map.Entry<Integer, ArmStage1Context> e : now.entrySet()) {
                viommu.setStage1(s.sid, e.getKey(), e.getValue());
            }
        } catch (IllegalArgumentException | IllegalStateException gone) {
            // the device left the guest (unplugged from the machine, or the guest closed): nothing to diagnose
            now = Map.of();
        }
        s.contexts = now;
    }

    // ---- answers --------------------------------------------------------------------------------------------

    private boolean resume(Command.Resume r) {
        StallTags.Stall stall = tags.take(r.sid(), r.stag());
        if (stall == null) {
            counters.resumesRefused++; // a STAG naming no stall of that stream is a no-op (IHI §4.7.1)
            return true;
        }
        viommu.respond(stall.cookie, r.retry() ? ResponseCode.SUCCESS.value() : ResponseCode.INVALID.value());
        counters.resumes++;
        return true;
    }

    private boolean terminateStalls(int sid) {
        for (StallTags.Stall stall : tags.takeAll(sid)) {
            viommu.respond(stall.cookie, ResponseCode.INVALID.value());
            counters.stallsTerminated++;
        }
        waitingStalls.removeIf(w -> EventRecord.sid(w[0]) == sid); // answered above with their tags
        return true;
    }

    // ---- events ---------------------------------------------------------------------------------------------

    @Override
    public int deliver(long timeout, TimeUnit unit) throws InterruptedException {
        List<GuestEvent> taken = viommu.poll(1 << QUEUE_BITS, timeout, unit);
        synchronized (lock) {
            long before = counters.eventsWritten;
            writeWaitingStalls();
            for (GuestEvent e : taken) {
                if (e instanceof UnrecoverableEvent u) {
                    record(u);
                } else if (e instanceof PageRequestEvent p) {
                    stall(p);
                } else if (e instanceof LostEvents lost) {
                    discard(lost.count());
                }
            }
            return (int) (counters.eventsWritten - before);
        }
    }

    private void record(UnrecoverableEvent u) {
        HardwareRecord record = u.virtualRecord();
        Stream s = streams.get(u.virtualDevice());
        if (!EventRecord.FORMAT.equals(record.format()) || record.size() != GuestEventRing.DWORDS || s == null) {
            counters.eventsDiscarded++; // no record of the guest's format (no CD for the PASID)
            return;
        }
        long[] words = record.words();
        if (s.installed.mergeEvents() && events.repeatsUnreadLast(words)) {
            counters.eventsMerged++;
            return;
        }
        if (events.hasRoom()) {
            write(words);
        } else {
            discard(1);
        }
    }

    /** Non-stall records lost: discarded, with overflow if the queue is enabled (IHI §7.4). */
    private void discard(long count) {
        counters.eventsDiscarded += count;
        if (events.enabled() && events.overflow()) {
            counters.overflows++;
        }
    }

    private void stall(PageRequestEvent p) {
        Stream s = streams.get(p.virtualDevice());
        PageRequestEvent.Request r = p.last();
        ArmStage1Context context = s == null ? null : s.contexts.get(r.pasid());
        int tag = -1;
        if (p.requests().size() == 1 && context != null && events.enabled()) {
            tag = tags.allocate(s.sid, p.cookie());
        }
        if (tag < 0) {
            // no PRI (multi-request groups), no CD for the PASID, queue disabled, or no STAG free: terminate
            viommu.respond(p.cookie(), ResponseCode.INVALID.value());
            counters.stallsTerminated++;
            return;
        }
        Stage1Walk walk = GuestTableWalker.walk(memory, context, r.pasid(), r.address(), r.permissions());
        ArmStage1Fault fault = walk instanceof Stage1Walk.Failed f && f.reason() instanceof ArmStage1Fault a
                ? a : ArmStage1Fault.TRANSLATION; // the walk now succeeds: the guest changed its tables
        long fetch = walk instanceof Stage1Walk.Failed f ? f.descriptorAddress() : -1;
        long[] words = VirtualRecords.smmuEvent(fault, s.sid, r.pasid(), r.permissions(), r.address(), fetch)
                .words();
        words[1] |= EventRecord.EVTQ_1_STALL | tag;
        if (events.hasRoom() && waitingStalls.isEmpty()) {
            write(words);
        } else {
            waitingStalls.add(words); // a stall record is never discarded: it waits for room (IHI §7.4)
        }
    }

    private void writeWaitingStalls() {
        while (!waitingStalls.isEmpty() && events.hasRoom()) {
            write(waitingStalls.poll());
        }
    }

    private void terminateWaitingStalls() {
        for (long[] words; (words = waitingStalls.poll()) != null;) {
            StallTags.Stall stall = tags.takeUnshown(EventRecord.sid(words[0]), EventRecord.stag(words[1]));
            if (stall != null) {
                viommu.respond(stall.cookie, ResponseCode.INVALID.value());
                counters.stallsTerminated++;
            }
        }
    }

    private void write(long[] words) {
        events.write(words);
        counters.eventsWritten++;
        if ((words[1] & EventRecord.EVTQ_1_STALL) != 0) {
            tags.show(EventRecord.sid(words[0]), EventRecord.stag(words[1]));
        }
    }

    @Override
    public VirtualSmmuStatistics statistics() {
        synchronized (lock) {
            Counters c = counters;
            return new VirtualSmmuStatistics(c.commands, c.commandErrors, c.syncs, c.stesInstalled, c.stesRefused,
                    c.registerWritesRefused, c.eventsWritten, c.eventsMerged, c.eventsDiscarded, c.overflows,
                    c.stallsTerminated, c.resumes, c.resumesRefused, waitingStalls.size());
        }
    }

    @Override
    public String toString() {
        return "virtual SMMUv3 of " + viommu.name();
    }
}
