package dev.faultline.platform.smmuv3;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A simulated Arm SMMUv3 (IHI 0070): the MMIO register file, the stream table and context descriptors in
 * memory, VMSAv8-64 walks of both stages, the event queue, the PRI queue and the command queue as rings in
 * memory with PROD / CONS registers, wrap bits and overflow flags, the stall model and PCIe PRI.
 *
 * <p>A driver talks to it only through {@link #read32}/{@link #write32}/{@link #read64}/{@link #write64} and
 * memory, and hears from it through its {@link SmmuInterruptListener interrupts}. Devices reach it as a
 * {@link TranslationPort}. The model has no configuration or TLB caches: every transaction reads the STE, CD and
 * tables afresh, so invalidation commands complete at once.
 *
 * <p>Deterministic: the same sequence of register writes and accesses produces the same records, STAGs and
 * responses. Thread-safe: one lock serializes register accesses, transactions and command processing;
 * interrupts are signalled after the lock is released. A stalled transaction's completion (on CMD_RESUME) runs
 * on the thread that wrote CMDQ_PROD.
 *
 * <p><b>Size.</b> One class because the SMMU is one register file under one lock: the queues' PROD/CONS and overflow
 * flags, the stall table and the command processor act on each other in the spec's order. The translation pipeline,
 * records, commands and table formats are their own classes.
 */
public final class Smmu implements TranslationPort {
    private static final SmmuInterrupt[] LINES = SmmuInterrupt.values();

    private final String name;
    private final SmmuFeatures features;
    private final PhysicalMemory memory;
    /** External abort ranges, sorted by base, one per base (a later range at the same base replaces it). */
    private long[] holeBases = new long[0];
    private long[] holeEnds = new long[0];
    private TranslationEngine.@Nullable Registers registerSnapshot;
    private final TranslationEngine engine;
    private final OutputQueue eventQueue;
    private final OutputQueue priQueue;
    private final ArrayDeque<long[]> pendingStallRecords = new ArrayDeque<>();
    private final StallTable stalled;
    /** The words of the PRI queue entry being written (reused: entries are written one at a time, locked). */
    private final long[] priWords = new long[2];
    /** The connected PCIe functions by 16-bit requester id (an array: no boxed key per response). */
    private final @Nullable PrgResponseReceiver[] receivers = new PrgResponseReceiver[0x10000];
    private @Nullable SmmuInterruptListener listener;
    private int raised;

    private int cr0;
    private int cr1;
    private int cr2;
    private int gbpa;
    private int irqCtrl;
    private int gerror;
    private int gerrorn;
    private long strtabBase;
    private int strtabCfg;
    private long cmdqBase;
    private int cmdqProd;
    private int cmdqCons;
    private int cmdqError;
    private final long[] irqCfg = new long[3];
    private int nextStag;

    private long transactions;
    private long translated;
    private long eventsWritten;
    private long eventsDiscarded;
    private long eventsDropped;
    private long stallCount;
    private long pageRequests;
    private long priWritten;
    private long priDiscarded;
    private long autoResponses;
    private long responsesSent;
    private long responsesUndeliverable;
    private long commandsConsumed;
    private long commandErrors;
    private long resumesUnmatched;

    /**
     * An SMMU in its reset state (SMMUEN = 0, GBPA bypass, queues disabled) over {@code memory}.
     *
     * @param name the instance name, e.g. {@code smmuv3.0}
     */
    public Smmu(String name, SmmuFeatures features, PhysicalMemory memory) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("SMMU name must not be blank");
        }
        this.name = name;
        this.features = Objects.requireNonNull(features, "features");
        this.stalled = new StallTable(features.stallMax());
        this.memory = Objects.requireNonNull(memory, "memory");
        this.engine = new TranslationEngine(memory, this::aborts, features);
        this.eventQueue = new OutputQueue(memory, this::aborts, EventRecord.BYTES, features.eventQueueLog2());
        this.priQueue = new OutputQueue(memory, this::aborts, PriEntry.BYTES, features.priQueueLog2());
    }

    @Override
    public String name() {
        return name;
    }

    /** What this SMMU implements. */
    public SmmuFeatures features() {
        return features;
    }

    /** The memory its tables and queues live in. */
    public PhysicalMemory memory() {
        return memory;
    }

    /** Connects the interrupt lines to {@code newListener} (replacing any earlier one; null disconnects). */
    public synchronized void connectInterrupts(@Nullable SmmuInterruptListener newListener) {
        this.listener = newListener;
    }

    /**
     * Makes SMMU accesses to {@code [base, base + size)} get an external abort (a hole in the bus): table walks
     * raise F_WALK_EABT, STE / CD fetches F_STE_FETCH / F_CD_FETCH, queue writes GERROR *_ABT_ERR.
     */
    public synchronized void addExternalAbortRange(long base, long size) {
        if (size <= 0) {
            throw new IllegalArgumentException("external abort range needs a positive size");
        }
        int at = Arrays.binarySearch(holeBases, base);
        if (at >= 0) {
            holeEnds[at] = base + size;
            return;
        }
        int insert = -at - 1;
        long[] bases = new long[holeBases.length + 1];
        long[] ends = new long[bases.length];
        System.arraycopy(holeBases, 0, bases, 0, insert);
        System.arraycopy(holeEnds, 0, ends, 0, insert);
        bases[insert] = base;
        ends[insert] = base + size;
        System.arraycopy(holeBases, insert, bases, insert + 1, holeBases.length - insert);
        System.arraycopy(holeEnds, insert, ends, insert + 1, holeEnds.length - insert);
        holeBases = bases;
        holeEnds = ends;
    }

    /** Removes every external abort range. */
    public synchronized void clearExternalAbortRanges() {
        holeBases = new long[0];
        holeEnds = new long[0];
    }

    /** Whether {@code address} lies in the external abort range with the greatest base at or below it. */
    private boolean aborts(long address) {
        if (holeBases.length == 0) {
            return false;
        }
        int at = Arrays.binarySearch(holeBases, address);
        int floor = at >= 0 ? at : -at - 2;
        return floor >= 0 && address < holeEnds[floor];
    }

    // ------------------------------------------------------------------ MMIO

    /** Reads a 32-bit register (offsets as in {@link SmmuRegisters}; unknown offsets read 0). */
    public int read32(int offset) {
        synchronized (this) {
            return switch (offset) {
                case SmmuRegisters.IDR0 -> features.idr0();
                case SmmuRegisters.IDR1 -> features.idr1();
                case SmmuRegisters.IDR3 -> 0;
                case SmmuRegisters.IDR5 -> features.idr5();
                case SmmuRegisters.IIDR -> 0x43b; // Arm implementer code
                case SmmuRegisters.CR0, SmmuRegisters.CR0ACK -> cr0;
                case SmmuRegisters.CR1 -> cr1;
                case SmmuRegisters.CR2 -> cr2;
                case SmmuRegisters.GBPA -> gbpa;
                case SmmuRegisters.IRQ_CTRL, SmmuRegisters.IRQ_CTRLACK -> irqCtrl;
                case SmmuRegisters.GERROR -> gerror;
                case SmmuRegisters.GERRORN -> gerrorn;
                case SmmuRegisters.STRTAB_BASE_CFG -> strtabCfg;
                case SmmuRegisters.CMDQ_PROD -> cmdqProd;
                case SmmuRegisters.CMDQ_CONS -> cmdqCons | cmdqError << SmmuRegisters.CMDQ_CONS_ERR_SHIFT;
                case SmmuRegisters.EVENTQ_PROD -> eventQueue.prod();
                case SmmuRegisters.EVENTQ_CONS -> eventQueue.cons();
                case SmmuRegisters.PRIQ_PROD -> priQueue.prod();
                case SmmuRegisters.PRIQ_CONS -> priQueue.cons();
                default -> (int) (read64Locked(offset & ~7) >>> ((offset & 4) * 8));
            };
        }
    }

    /** Writes a 32-bit register; writes to read-only or unknown offsets are ignored. */
    public void write32(int offset, int value) {
        int irq;
        synchronized (this) {
            switch (offset) {
                case SmmuRegisters.CR0 -> writeCr0(value);
                case SmmuRegisters.CR1 -> cr1 = value;
                case SmmuRegisters.CR2 -> cr2 = value & 7;
                case SmmuRegisters.GBPA -> {
                    if ((value & SmmuRegisters.GBPA_UPDATE) != 0) {
                        gbpa = value & ~SmmuRegisters.GBPA_UPDATE;
                    }
                }
                case SmmuRegisters.IRQ_CTRL -> irqCtrl = value & 7;
                case SmmuRegisters.GERRORN -> writeGerrorn(value);
                case SmmuRegisters.STRTAB_BASE_CFG -> strtabCfg = value & 0x3_07ff;
                case SmmuRegisters.CMDQ_PROD -> {
                    cmdqProd = value & ((2 << cmdqLog2()) - 1);
                    processCommands();
                }
                case SmmuRegisters.CMDQ_CONS -> {
                    if ((cr0 & SmmuRegisters.CR0_CMDQEN) == 0) {
                        cmdqCons = value & ((2 << cmdqLog2()) - 1);
                    }
                }
                case SmmuRegisters.EVENTQ_PROD -> {
                    if ((cr0 & SmmuRegisters.CR0_EVTQEN) == 0) {
                        eventQueue.writeProd(value);
                    }
                }
                case SmmuRegisters.EVENTQ_CONS -> {
                    eventQueue.writeCons(value);
                    flushPendingStallRecords();
                }
                case SmmuRegisters.PRIQ_PROD -> {
                    if ((cr0 & SmmuRegisters.CR0_PRIQEN) == 0) {
                        priQueue.writeProd(value);
                    }
                }
                case SmmuRegisters.PRIQ_CONS -> priQueue.writeCons(value);
                default -> {
                    long old = read64Locked(offset & ~7);
                    int shift = (offset & 4) * 8;
                    write64Locked(offset & ~7, (old & ~(0xffff_ffffL << shift)) | ((value & 0xffff_ffffL) << shift));
                }
            }
            irq = takeRaised();
        }
        fire(irq);
    }

    /** Reads a 64-bit register (the *_BASE registers and IRQ_CFG0s). */
    public synchronized long read64(int offset) {
        return read64Locked(offset);
    }

    /** Writes a 64-bit register. */
    public void write64(int offset, long value) {
        synchronized (this) {
            write64Locked(offset, value);
        }
    }

    private long read64Locked(int offset) {
        return switch (offset) {
            case SmmuRegisters.STRTAB_BASE -> strtabBase;
            case SmmuRegisters.CMDQ_BASE -> cmdqBase;
            case SmmuRegisters.EVENTQ_BASE -> eventQueue.base();
            case SmmuRegisters.PRIQ_BASE -> priQueue.base();
            case 0x068 -> irqCfg[0]; // GERROR_IRQ_CFG0
            case 0x0B0 -> irqCfg[1]; // EVTQ_IRQ_CFG0
            case 0x0D0 -> irqCfg[2]; // PRIQ_IRQ_CFG0
            default -> 0;
        };
    }

    private void write64Locked(int offset, long value) {
        switch (offset) {
            case SmmuRegisters.STRTAB_BASE -> strtabBase = value & (SmmuRegisters.STRTAB_BASE_ADDR_MASK
                    | SmmuRegisters.STRTAB_BASE_RA);
            case SmmuRegisters.CMDQ_BASE -> {
                if ((cr0 & SmmuRegisters.CR0_CMDQEN) == 0) {
                    cmdqBase = value & queueBaseMask();
                }
            }
            case SmmuRegisters.EVENTQ_BASE -> {
                if ((cr0 & SmmuRegisters.CR0_EVTQEN) == 0) {
                    eventQueue.writeBase(value & queueBaseMask());
                }
            }
            case SmmuRegisters.PRIQ_BASE -> {
                if ((cr0 & SmmuRegisters.CR0_PRIQEN) == 0) {
                    priQueue.writeBase(value & queueBaseMask());
                }
            }
            case 0x068 -> irqCfg[0] = value;
            case 0x0B0 -> irqCfg[1] = value;
            case 0x0D0 -> irqCfg[2] = value;
            default -> {
                // RES0 / unimplemented: ignored
            }
        }
    }

    private static long queueBaseMask() {
        return SmmuRegisters.Q_BASE_ADDR_MASK | SmmuRegisters.Q_BASE_LOG2SIZE | SmmuRegisters.Q_BASE_RWA;
    }

    private void writeCr0(int value) {
        int old = cr0;
        cr0 = value & 0x1f; // CR0ACK follows at once
        if ((old & SmmuRegisters.CR0_CMDQEN) == 0 && (cr0 & SmmuRegisters.CR0_CMDQEN) != 0) {
            processCommands();
        }
        if ((cr0 & SmmuRegisters.CR0_EVTQEN) != 0) {
            flushPendingStallRecords();
        }
    }

    private void writeGerrorn(int value) {
        gerrorn = value;
        if (((gerror ^ gerrorn) & SmmuRegisters.GERROR_CMDQ_ERR) == 0 && cmdqError != SmmuRegisters.CERROR_NONE) {
            cmdqError = SmmuRegisters.CERROR_NONE; // acknowledged: the SMMU resumes consuming
            processCommands();
        }
    }

    private void globalError(int bit) {
        if (((gerror ^ gerrorn) & bit) == 0) {
            gerror ^= bit; // an error is active while its bits differ
            raise(SmmuInterrupt.GERROR);
        }
    }

    // ------------------------------------------------------------------ transactions

    @Override
    public DmaTransaction issue(DmaAccess access) {
        return issue(new DmaTransaction(access));
    }

    /**
     * {@inheritDoc}
     *
     * <p>A stalled transaction stays in the stall table until its CMD_RESUME or CMD_STALL_TERM, which takes it out
     * before completing it.
     */
    @Override
    public DmaTransaction issue(DmaTransaction tx) {
        tx.admit();
        int irq;
        synchronized (this) {
            process(tx);
            irq = takeRaised();
        }
        fire(irq);
        return tx;
    }

    /** The register state translations read; the last snapshot is reused while the registers hold it. */
    private TranslationEngine.Registers registers() {
        boolean enabled = (cr0 & SmmuRegisters.CR0_SMMUEN) != 0;
        boolean bypassAborts = (gbpa & SmmuRegisters.GBPA_ABORT) != 0;
        boolean recordInvalidSid = (cr2 & SmmuRegisters.CR2_RECINVSID) != 0;
        TranslationEngine.Registers last = registerSnapshot;
        if (last == null || last.smmuEnabled() != enabled || last.bypassAborts() != bypassAborts
                || last.strtabBase() != strtabBase || last.strtabCfg() != strtabCfg
                || last.recordInvalidSid() != recordInvalidSid) {
            last = new TranslationEngine.Registers(enabled, bypassAborts, strtabBase, strtabCfg, recordInvalidSid);
            registerSnapshot = last;
        }
        return last;
    }

    private void process(DmaTransaction tx) {
        transactions++;
        Attempt attempt = engine.translate(tx.access(), registers());
        switch (attempt.kind()) {
            case TRANSLATED -> {
                translated++;
                tx.translate(attempt.output());
            }
            case NO_TRANSLATION -> tx.noTranslation();
            case ABORT -> {
                if (attempt.event() != null) {
                    recordEvent(attempt.event());
                }
                tx.abort();
            }
            case FAULT -> fault(tx, attempt);
        }
    }

    private void fault(DmaTransaction tx, Attempt attempt) {
        long[] event = attempt.event();
        boolean canStall = attempt.stall() && (cr0 & SmmuRegisters.CR0_EVTQEN) != 0
                && stalled.size() < features.stallMax();
        if (canStall) {
            int sid = tx.access().requesterId();
            int stag = allocateStag(sid);
            event[1] |= EventRecord.EVTQ_1_STALL | stag;
            stalled.put(StallTable.key(sid, stag), tx);
            stallCount++;
            tx.stall();
            recordStallEvent(event);
            return;
        }
        if (attempt.record() || attempt.stall()) {
            recordEvent(event);
        }
        if (attempt.abort() || features.termModel()) {
            tx.abort();
        } else {
            tx.terminateRazWi();
        }
    }

    private int allocateStag(int sid) {
        for (int i = 0; i < 0x10000; i++) {
            int stag = (nextStag + i) & 0xffff;
            if (!stalled.contains(StallTable.key(sid, stag))) {
                nextStag = stag + 1;
                return stag;
            }
        }
        throw new IllegalStateException("no free STAG"); // unreachable: STALL_MAX < 2^16
    }

    /** How many transactions are stalled now. */
    public synchronized int stalledTransactions() {
        return stalled.size();
    }

    // ------------------------------------------------------------------ event queue

    /** A non-stall record: discarded (with overflow) when the queue is full (IHI 0070 §6.3.26-6.3.28). */
    private void recordEvent(long[] event) {
        if ((cr0 & SmmuRegisters.CR0_EVTQEN) == 0) {
            eventsDropped++;
            return;
        }
        flushPendingStallRecords();
        if (eventQueue.full()) {
            eventsDiscarded++;
            eventQueue.recordOverflow();
            return;
        }
        pushEvent(event);
    }

    /** A stall record is never discarded: it waits for room, in order, and causes no overflow. */
    private void recordStallEvent(long[] event) {
        flushPendingStallRecords();
        if (!pendingStallRecords.isEmpty() || eventQueue.full()) {
            pendingStallRecords.add(event.clone()); // the engine reuses its event words
            return;
        }
        pushEvent(event);
    }

    private void flushPendingStallRecords() {
        while (!pendingStallRecords.isEmpty() && (cr0 & SmmuRegisters.CR0_EVTQEN) != 0 && !eventQueue.full()) {
            pushEvent(pendingStallRecords.poll());
        }
    }

    private void pushEvent(long[] event) {
        if (eventQueue.push(event)) {
            eventsWritten++;
            raise(SmmuInterrupt.EVENTQ);
        } else {
            globalError(SmmuRegisters.GERROR_EVTQ_ABT_ERR);
        }
    }

    // ------------------------------------------------------------------ PRI

    @Override
    public void pageRequest(PageRequestMessage message) {
        int irq;
        synchronized (this) {
            pageRequests++;
            receivePageRequest(message);
            irq = takeRaised();
        }
        fire(irq);
    }

    private void receivePageRequest(PageRequestMessage m) {
        int sid = m.requesterId();
        boolean answerable = m.last() && !m.isStopMarker();
        if (!features.pri() || (cr0 & SmmuRegisters.CR0_PRIQEN) == 0
                || ((gerror ^ gerrorn) & SmmuRegisters.GERROR_PRIQ_ABT_ERR) != 0) {
            priDiscarded++;
            if (answerable) {
                autoRespond(sid, Pasid.NONE, m.prgIndex(), PrgResponseCode.RESPONSE_FAILURE); // IHI §8.2
            }
            return;
        }
        if (priQueue.overflowActive() || priQueue.full()) {
            priQueue.recordOverflow(); // while overflow is active nothing is written (IHI §8.1)
            priDiscarded++;
            if (answerable) {
                StreamTableEntry ste = engine.lookup(sid, registers());
                if (ste == null) {
                    autoRespond(sid, Pasid.NONE, m.prgIndex(), PrgResponseCode.RESPONSE_FAILURE);
                } else {
                    autoRespond(sid, ste.ppar() ? m.pasid() : Pasid.NONE, m.prgIndex(), PrgResponseCode.SUCCESS);
                }
            }
            return;
        }
        PriEntry.words(sid, m, priWords);
        if (priQueue.push(priWords)) {
            priWritten++;
            raise(SmmuInterrupt.PRIQ);
        } else {
            globalError(SmmuRegisters.GERROR_PRIQ_ABT_ERR);
            priDiscarded++;
            if (answerable) {
                autoRespond(sid, Pasid.NONE, m.prgIndex(), PrgResponseCode.RESPONSE_FAILURE);
            }
        }
    }

    private void autoRespond(int sid, int pasid, int prgIndex, PrgResponseCode code) {
        autoResponses++;
        deliver(sid, pasid, prgIndex, code.code());
    }

    private void deliver(int sid, int pasid, int prgIndex, int code) {
        PrgResponseReceiver receiver = receivers[sid & 0xffff];
        if (receiver == null) {
            responsesUndeliverable++;
            return;
        }
        receiver.receive(sid & 0xffff, pasid, prgIndex, code);
    }

    @Override
    public synchronized void connect(int requesterId, PrgResponseReceiver receiver) {
        receivers[requesterId & 0xffff] = Objects.requireNonNull(receiver, "receiver");
    }

    @Override
    public synchronized void disconnect(int requesterId) {
        receivers[requesterId & 0xffff] = null;
    }

    // ------------------------------------------------------------------ command queue

    private int cmdqLog2() {
        return (int) Math.min(cmdqBase & SmmuRegisters.Q_BASE_LOG2SIZE, features.commandQueueLog2());
    }

    private void processCommands() {
        if ((cr0 & SmmuRegisters.CR0_CMDQEN) == 0 || cmdqError != SmmuRegisters.CERROR_NONE) {
            return;
        }
        int log2 = cmdqLog2();
        long align = Math.max((long) Command.BYTES << log2, 32);
        long zero = cmdqBase & SmmuRegisters.Q_BASE_ADDR_MASK & ~(align - 1);
        while (!QueuePointer.empty(cmdqProd, cmdqCons, log2)) {
            long slot = zero + (long) QueuePointer.index(cmdqCons, log2) * Command.BYTES;
            int error = aborts(slot) ? SmmuRegisters.CERROR_ABT : execute(memory.read64(slot), memory.read64(slot + 8));
            if (error != SmmuRegisters.CERROR_NONE) {
                cmdqError = error; // CONS stays on the failing command
                commandErrors++;
                globalError(SmmuRegisters.GERROR_CMDQ_ERR);
                return;
            }
            cmdqCons = QueuePointer.increment(cmdqCons, log2);
            commandsConsumed++;
        }
    }

    /**
     * Executes one command from its two doublewords: CMD_RESUME, CMD_PRI_RESP and CMD_SYNC (every fault's
     * commands) straight from the words, the rest decoded.
     */
    private int execute(long dw0, long dw1) {
        int sid = (int) (dw0 >>> 32);
        switch (Command.opcode(dw0)) {
            case Command.OP_RESUME:
                return resume(sid, (int) (dw1 & 0xffff), (dw0 & Command.Resume.AC) != 0,
                        (dw0 & Command.Resume.AB) != 0);
            case Command.OP_PRI_RESP:
                return priResponse(sid, (dw0 & Command.CMDQ_0_SSV) != 0, (int) (dw0 >>> 12) & 0xfffff,
                        (int) (dw1 & 0x1ff), (int) (dw1 >>> 12) & 3);
            case Command.OP_CMD_SYNC:
                return sync((int) (dw0 >>> 12) & 3, (int) (dw0 >>> 32), dw1 & Command.Sync.MSIADDR_MASK);
            default:
                return execute(Command.decode(dw0, dw1));
        }
    }

    private int resume(int sid, int stag, boolean retry, boolean abort) {
        if (features.stallModel() == 1) {
            return SmmuRegisters.CERROR_ILL;
        }
        DmaTransaction tx = stalled.remove(StallTable.key(sid, stag));
        if (tx == null) {
            resumesUnmatched++; // a STAG matching no stalled transaction is a no-op
        } else if (retry) {
            tx.retry();
            process(tx); // retried as if it had just arrived: it may fault (and stall) again
        } else if (abort || features.termModel()) {
            tx.abort();
        } else {
            tx.terminateRazWi();
        }
        return SmmuRegisters.CERROR_NONE;
    }

    private int priResponse(int sid, boolean ssv, int ssid, int prgIndex, int resp) {
        int code = Command.PriResponse.pcieCode(resp);
        if (!features.pri() || code < 0) {
            return SmmuRegisters.CERROR_ILL;
        }
        responsesSent++;
        deliver(sid, ssv ? ssid : Pasid.NONE, prgIndex, code);
        return SmmuRegisters.CERROR_NONE;
    }

    private int sync(int cs, int msiData, long msiAddress) {
        if (cs == 3) {
            return SmmuRegisters.CERROR_ILL;
        }
        if (cs == Command.Sync.CS_IRQ && (msiAddress & 3) == 0 && !aborts(msiAddress)) {
            memory.write32(msiAddress, msiData); // all earlier commands are complete by now
        }
        return SmmuRegisters.CERROR_NONE;
    }

    private int execute(Command command) {
        if (command instanceof Command.StallTerm t) {
            if (features.stallModel() == 1) {
                return SmmuRegisters.CERROR_ILL;
            }
            stalled.removeStream(t.sid(), DmaTransaction::abort);
            return SmmuRegisters.CERROR_NONE;
        }
        if (command instanceof Command.Unknown) {
            return SmmuRegisters.CERROR_ILL;
        }
        return SmmuRegisters.CERROR_NONE; // configuration and TLB invalidations: no caches to invalidate
    }

    // ------------------------------------------------------------------ interrupts and statistics

    private void raise(SmmuInterrupt line) {
        if ((irqCtrl & line.enableBit()) != 0) {
            raised |= 1 << line.ordinal();
        }
    }

    private int takeRaised() {
        int r = raised;
        raised = 0;
        return r == 0 || listener == null ? 0 : r;
    }

    private void fire(int lines) {
        if (lines == 0) {
            return;
        }
        SmmuInterruptListener l;
        synchronized (this) {
            l = listener;
        }
        if (l == null) {
            return;
        }
        for (SmmuInterrupt line : LINES) {
            if ((lines & 1 << line.ordinal()) != 0) {
                l.interrupt(line);
            }
        }
    }

    /** The counters. */
    public synchronized SmmuStatistics statistics() {
        return new SmmuStatistics(transactions, translated, eventsWritten, eventsDiscarded, eventsDropped,
                stallCount, pendingStallRecords.size(), pageRequests, priWritten, priDiscarded, autoResponses,
                responsesSent, responsesUndeliverable, commandsConsumed, commandErrors, resumesUnmatched);
    }

    @Override
    public String toString() {
        return "Smmu[" + name + "]";
    }
}
