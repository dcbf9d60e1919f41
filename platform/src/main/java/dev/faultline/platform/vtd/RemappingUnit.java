package dev.faultline.platform.vtd;

import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelWalker;
import dev.faultline.platform.x86.SecondLevelWalker;
import dev.faultline.platform.x86.WalkFault;
import dev.faultline.platform.x86.WalkOutcome;
import java.util.ArrayDeque;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A simulated Intel VT-d remapping unit in scalable mode: the hardware a VT-d driver programs through its
 * registers and in-memory tables and queues only (the VT-d spec).
 *
 * <ul>
 *   <li><b>Registers</b> ({@link #read32}, {@link #read64}, {@link #write32}, {@link #write64}): VER, CAP, ECAP,
 *       GCMD/GSTS (TE, SRTP, QIE), RTADDR, FSTS (PFO and IQE write-1-to-clear, PPF and FRI computed), FECTL,
 *       the FRCD array, IQH/IQT/IQA, ICS, IECTL, PQH/PQT/PQA, PRS, PECTL and the MSI data/address registers
 *       (stored, unused: interrupts go to the {@link InterruptSink}). Other offsets read 0 and ignore writes.</li>
 *   <li><b>Translation</b> ({@link #issue}): root, context, PASID directory and PASID entries, then the
 *       first-level walk (PGTT 1), nested translation (PGTT 3: the first level's tables and output are
 *       guest-physical and go through the 4-level second level at SLPTPTR; its refusals are the nested and
 *       second-level reasons 0x74-0x7B, 0x84) or pass-through (PGTT 4); faults are recorded with the reason
 *       codes of §3.11 unless FPD is set, and the access is aborted. An ATS translation request that misses (P = 0,
 *       or no U/S, R/W or execute permission) completes as no-translation without a record, so the device
 *       can page-request. With TE clear accesses are untranslated.</li>
 *   <li><b>Fault recording</b> (§3.3): the unit's next-record index; a full next register sets PFO and drops
 *       the fault; a record into an empty set sets FRI and raises the fault event.</li>
 *   <li><b>Page request queue</b> (§3.6): discarded while PRS.PRO is set; on a full ring (one slot always
 *       free) PRO is set and the request discarded; otherwise the descriptor is written at PQT, PQT advances
 *       and PPR is set, raising the event only if PPR and PRO were clear. Requests from a device whose context
 *       entry is absent or has PRE = 0 are recorded as faults (0x47 for PRE).</li>
 *   <li><b>Invalidation queue</b> (§3.8): processed when IQT is written, synchronously; page group responses
 *       go to the device as PCIe PRG Responses; wait descriptors write their status and set ICS.IWC; present
 *       PASID entries are cached (§6.5) until a PASID-cache invalidation (domain, PASID or global granularity) or
 *       a context-cache invalidation of their device, domain or the unit drops them, so a driver that changes a
 *       PASID entry without invalidating keeps translating through the old one; the other invalidations
 *       complete at once (no IOTLB is modelled). An unknown type, reserved bits in a
 *       page group response, a misaligned tail or a fetch beyond memory sets FSTS.IQE and stops the queue at
 *       the bad descriptor until software clears IQE.</li>
 * </ul>
 *
 * <p><b>Model choices where the VT-d behaviour is unverified</b> (VT-d page request descriptor): a last-in-group page
 * request the unit discards on overflow is answered Success by the unit (the device retries and
 * page-requests again), as SMMUv3 does (IHI §8.1); one it cannot queue because the device's context forbids
 * page requests is answered Invalid Request; one arriving before the queue is programmed is answered
 * Response Failure. Stop Markers are never answered. Second-level-only PASID entries (PGTT 2) are not modelled
 * and fault 0x5B; a nested entry needs AW 2 (4-level), and a not-present second-level entry is a permission
 * error (0x79, or 0x75/0x76 for a first-level table), as a second-level entry has no present bit.
 *
 * <p>Thread-safe: one lock serializes the registers, tables walks and queues; device responses and interrupts
 * are delivered after it is released. Deterministic: the same sequence of calls gives the same memory,
 * registers and outputs.
 *
 * <p><b>Size.</b> One class because the unit is one register file under one lock: an invalidation drops the
 * PASID-cache entries translation reads, a recorded fault sets the FSTS bits the queues and the driver read, a page
 * request checks the context entry translation uses. Table walks, fault reasons, records and descriptors are their
 * own classes; what stays is the order in which the spec's registers act on each other.
 */
public final class RemappingUnit implements TranslationPort {
    /** VER: major 3, minor 0 (scalable mode arrived with revision 3.0). */
    static final int VERSION = 0x30;
    private static final UnitInterrupt[] INTERRUPTS = UnitInterrupt.values();
    private static final long NO_TRANSLATION = -1;
    private static final long ABORT = -2;
    private static final int FSTS_RW1C = RegisterMap.FSTS_PFO | RegisterMap.FSTS_AFO | RegisterMap.FSTS_APF
            | RegisterMap.FSTS_IQE | RegisterMap.FSTS_ICE | RegisterMap.FSTS_ITE | RegisterMap.FSTS_PRO;
    private static final long IQT_MASK = 0x7fff0L;
    private static final long PQ_OFFSET_MASK = 0x7ffe0L;
    private static final int[] PLAIN_REGISTERS = {RegisterMap.FEDATA, RegisterMap.FEADDR, RegisterMap.FEUADDR,
        0xa4, 0xa8, 0xac, 0xe4, 0xe8, 0xec};

    private final UnitConfiguration configuration;
    private final PhysicalMemory memory;
    private final FirstLevelWalker walker;
    private final SecondLevelWalker secondLevel;
    private final TableLookup lookup;
    private final Object lock = new Object();
    /** The connected PCIe functions by 16-bit requester id (an array: no boxed key per response), guarded by lock. */
    private final @Nullable PrgResponseReceiver[] receivers = new PrgResponseReceiver[0x10000];
    /** The outcome of the first-level walk in progress (reused: walks run one at a time, under the lock). */
    private final WalkOutcome walk = new WalkOutcome();
    private volatile InterruptSink interruptSink = interrupt -> { };

    // Registers, guarded by lock.
    private int gsts;
    private long rtaddr;
    private long rootTable;
    private int faultStatus;
    private int faultRecordIndex;
    private final long[] faultRecords;
    private int nextFaultRecord;
    private final int[] eventControl = new int[UnitInterrupt.values().length];
    private final int[] plainRegisters = new int[PLAIN_REGISTERS.length];
    private long iqh;
    private long iqt;
    private long iqa;
    private int ics;
    private long pqh;
    private long pqt;
    private long pqa;
    private boolean pageRequestQueueProgrammed;
    private boolean holdInFlight;
    private final ArrayDeque<PageRequestMessage> inFlight = new ArrayDeque<>();
    private int prs;

    // Outputs waiting for the lock to be released.
    private int pendingInterrupts;
    private final PendingResponses pendingResponses = new PendingResponses();

    // Counters, guarded by lock.
    private long faultsRecorded;
    private long faultsOverflowed;
    private long faultsSuppressed;
    private long pageRequestsQueued;
    private long pageRequestsDiscarded;
    private long automaticResponses;
    private long responsesSent;
    private long responsesUndeliverable;
    private long invalidationErrors;
    private long faultsCompressed;
    private boolean compressFaults;

    /** A unit in its reset state: translation and queues disabled, all event interrupts masked. */
    public RemappingUnit(UnitConfiguration configuration, PhysicalMemory memory) {
        this.configuration = Objects.requireNonNull(configuration, "configuration");
        this.memory = Objects.requireNonNull(memory, "memory");
        this.walker = new FirstLevelWalker(memory, configuration.addressWidth(), configuration.memoryTop(),
                configuration.capability().firstLevel1GPages());
        this.secondLevel = new SecondLevelWalker(memory, configuration.addressWidth(), configuration.memoryTop(),
                configuration.capability().firstLevel1GPages());
        this.lookup = new TableLookup(memory, configuration);
        this.faultRecords = new long[2 * configuration.capability().faultRecordingCount()];
        java.util.Arrays.fill(eventControl, RegisterMap.EVENT_IM);
    }

    /** How the unit was built. */
    public UnitConfiguration configuration() {
        return configuration;
    }

    /** The memory the unit reads tables and queues from. */
    public PhysicalMemory memory() {
        return memory;
    }

    @Override
    public String name() {
        return configuration.name();
    }

    /** Connects the driver's interrupt handler, replacing the previous one (interrupts raised before are not replayed). */
    public void connectInterrupts(InterruptSink sink) {
        interruptSink = Objects.requireNonNull(sink, "sink");
    }

    /** Disconnects the interrupt handler: interrupts are dropped until one connects (IP bits still latch while masked). */
    public void disconnectInterrupts() {
        interruptSink = interrupt -> { };
    }

    /**
     * Turns fault compression on or off (off at reset). The VT-d spec lets hardware collapse further faults from
     * a source id into a fault recording register that still holds a fault of that source (F = 1): with it on,
     * such a fault is not recorded (no FRCD, no PFO, no fault event) and is counted as
     * {@link UnitCounters#faultsCompressed()}; with it off every fault takes the next register or overflows.
     *
     * @since 1.1
     */
    public void compressFaults(boolean on) {
        synchronized (lock) {
            compressFaults = on;
        }
    }

    /**
     * Whether fault compression is on ({@link #compressFaults(boolean)}).
     *
     * @since 1.1
     */
    public boolean compressesFaults() {
        synchronized (lock) {
            return compressFaults;
        }
    }

    /** A snapshot of the counters. */
    public UnitCounters counters() {
        synchronized (lock) {
            return new UnitCounters(faultsRecorded, faultsOverflowed, faultsSuppressed, pageRequestsQueued,
                    pageRequestsDiscarded, automaticResponses, responsesSent, responsesUndeliverable,
                    invalidationErrors, lookup.pasidCacheSize(), lookup.pasidCacheHits(), faultsCompressed);
        }
    }

    // ---------------------------------------------------------------- registers

    /**
     * Reads the 32-bit register (or half of a 64-bit one) at {@code offset}.
     *
     * @throws IllegalArgumentException for an offset that is not 4-byte aligned or outside the register block
     */
    public int read32(int offset) {
        checkOffset(offset, 4);
        synchronized (lock) {
            return read32Locked(offset);
        }
    }

    /**
     * Reads the 64-bit register (or pair of 32-bit ones) at {@code offset}.
     *
     * @throws IllegalArgumentException for an offset that is not 8-byte aligned or outside the register block
     */
    public long read64(int offset) {
        checkOffset(offset, 8);
        synchronized (lock) {
            return read64Locked(offset);
        }
    }

    /**
     * Writes the 32-bit register (or half of a 64-bit one) at {@code offset}, with that register's side effects.
     *
     * @throws IllegalArgumentException for an offset that is not 4-byte aligned or outside the register block
     */
    public void write32(int offset, int value) {
        checkOffset(offset, 4);
        synchronized (lock) {
            write32Locked(offset, value);
        }
        flush();
    }

    /**
     * Writes the 64-bit register (or pair of 32-bit ones) at {@code offset}, with its side effects.
     *
     * @throws IllegalArgumentException for an offset that is not 8-byte aligned or outside the register block
     */
    public void write64(int offset, long value) {
        checkOffset(offset, 8);
        synchronized (lock) {
            write64Locked(offset, value);
        }
        flush();
    }

    private boolean isFaultRecord(int offset) {
        int base = configuration.capability().faultRecordingOffset();
        return offset >= base && offset < base + faultRecords.length * 8;
    }

    private static boolean is64BitRegister(int offset) {
        return switch (offset) {
            case RegisterMap.CAP, RegisterMap.ECAP, RegisterMap.RTADDR, RegisterMap.CCMD, RegisterMap.IQH,
                    RegisterMap.IQT, RegisterMap.IQA, RegisterMap.IQER, RegisterMap.PQH, RegisterMap.PQT,
                    RegisterMap.PQA -> true;
            default -> false;
        };
    }

    private long read64Locked(int offset) {
        if (isFaultRecord(offset)) {
            return faultRecords[(offset - configuration.capability().faultRecordingOffset()) / 8];
        }
        return switch (offset) {
            case RegisterMap.CAP -> configuration.capability().value();
            case RegisterMap.ECAP -> configuration.extendedCapability().value();
            case RegisterMap.RTADDR -> rtaddr;
            case RegisterMap.IQH -> iqh;
            case RegisterMap.IQT -> iqt;
            case RegisterMap.IQA -> iqa;
            case RegisterMap.PQH -> pqh;
            case RegisterMap.PQT -> pqt;
            case RegisterMap.PQA -> pqa;
            case RegisterMap.CCMD, RegisterMap.IQER -> 0;
            default -> (read32Locked(offset) & 0xffff_ffffL) | (long) read32Locked(offset + 4) << 32;
        };
    }

    private int read32Locked(int offset) {
        int aligned = offset & ~7;
        if (isFaultRecord(offset) || is64BitRegister(aligned)) {
            return (int) (read64Locked(aligned) >>> (offset & 4) * 8);
        }
        switch (offset) {
            case RegisterMap.VER:
                return VERSION;
            case RegisterMap.GSTS:
                return gsts;
            case RegisterMap.FSTS:
                return faultStatusLocked();
            case RegisterMap.FECTL:
            case RegisterMap.IECTL:
            case RegisterMap.PECTL:
                return eventControl[interruptOf(offset).ordinal()];
            case RegisterMap.ICS:
                return ics;
            case RegisterMap.PRS:
                return prs;
            default:
                int plain = plainIndex(offset);
                return plain < 0 ? 0 : plainRegisters[plain];
        }
    }

    private void write64Locked(int offset, long value) {
        if (isFaultRecord(offset)) {
            if ((offset - configuration.capability().faultRecordingOffset()) % 16 == 8 && value < 0) {
                clearFaultRecord(offset + 4);
            }
            return;
        }
        switch (offset) {
            case RegisterMap.RTADDR -> rtaddr = value;
            case RegisterMap.IQT -> {
                iqt = value & IQT_MASK;
                processInvalidationsLocked();
            }
            case RegisterMap.IQA -> iqa = value;
            case RegisterMap.PQH -> pqh = value & PQ_OFFSET_MASK;
            case RegisterMap.PQT -> pqt = value & PQ_OFFSET_MASK;
            case RegisterMap.PQA -> {
                pqa = value;
                pageRequestQueueProgrammed = true;
            }
            case RegisterMap.CAP, RegisterMap.ECAP, RegisterMap.IQH, RegisterMap.IQER, RegisterMap.CCMD -> {
                // read-only, or not modelled
            }
            default -> {
                write32Locked(offset, (int) value);
                write32Locked(offset + 4, (int) (value >>> 32));
            }
        }
    }

    private void write32Locked(int offset, int value) {
        int aligned = offset & ~7;
        if (isFaultRecord(offset)) {
            // DMA_FRCD_F is write-1-to-clear in the dword at +12; everything else is read-only.
            if ((offset - configuration.capability().faultRecordingOffset()) % 16 == 12
                    && (value & RegisterMap.FRCD_F) != 0) {
                clearFaultRecord(offset);
            }
            return;
        }
        if (is64BitRegister(aligned)) {
            long current = read64Locked(aligned);
            int shift = (offset & 4) * 8;
            long merged = (current & ~(0xffff_ffffL << shift)) | (value & 0xffff_ffffL) << shift;
            write64Locked(aligned, merged);
            return;
        }
        switch (offset) {
            case RegisterMap.GCMD -> globalCommand(value);
            case RegisterMap.FSTS -> {
                boolean iqeCleared = (faultStatus & value & RegisterMap.FSTS_IQE) != 0;
                faultStatus &= ~(value & FSTS_RW1C);
                if (iqeCleared) {
                    processInvalidationsLocked();
                }
            }
            case RegisterMap.FECTL, RegisterMap.IECTL, RegisterMap.PECTL -> eventControl(interruptOf(offset), value);
            case RegisterMap.ICS -> ics &= ~(value & RegisterMap.ICS_IWC);
            case RegisterMap.PRS -> prs &= ~(value & (RegisterMap.PRS_PPR | RegisterMap.PRS_PRO));
            default -> {
                int plain = plainIndex(offset);
                if (plain >= 0) {
                    plainRegisters[plain] = value;
                }
            }
        }
    }

    /** GCMD: TE and QIE are levels mirrored into GSTS; SRTP latches RTADDR and sets RTPS (VT-d registers). */
    private void globalCommand(int value) {
        if ((value & RegisterMap.GCMD_SRTP) != 0) {
            rootTable = rtaddr;
            gsts |= RegisterMap.GCMD_SRTP;
        }
        gsts = (gsts & ~RegisterMap.GCMD_TE) | (value & RegisterMap.GCMD_TE);
        boolean enableQueue = (value & RegisterMap.GCMD_QIE) != 0;
        if (enableQueue && (gsts & RegisterMap.GCMD_QIE) == 0) {
            iqh = 0;
            gsts |= RegisterMap.GCMD_QIE;
            processInvalidationsLocked();
        } else if (!enableQueue) {
            gsts &= ~RegisterMap.GCMD_QIE;
        }
    }

    private void eventControl(UnitInterrupt interrupt, int value) {
        int i = interrupt.ordinal();
        boolean pending = (eventControl[i] & RegisterMap.EVENT_IP) != 0;
        boolean masked = (value & RegisterMap.EVENT_IM) != 0;
        if (!masked && pending) {
            pendingInterrupts |= 1 << i;
            pending = false;
        }
        eventControl[i] = (masked ? RegisterMap.EVENT_IM : 0) | (pending ? RegisterMap.EVENT_IP : 0);
    }

    /** Raises {@code interrupt}: sent once the lock is released if unmasked, else latched in IP. */
    private void raise(UnitInterrupt interrupt) {
        int i = interrupt.ordinal();
        if ((eventControl[i] & RegisterMap.EVENT_IM) != 0) {
            eventControl[i] |= RegisterMap.EVENT_IP;
        } else {
            pendingInterrupts |= 1 << i;
        }
    }

    private static UnitInterrupt interruptOf(int controlRegister) {
        for (UnitInterrupt interrupt : UnitInterrupt.values()) {
            if (interrupt.controlRegister() == controlRegister) {
                return interrupt;
            }
        }
        throw new IllegalArgumentException("no event control register at 0x" + Integer.toHexString(controlRegister));
    }

    private static int plainIndex(int offset) {
        for (int i = 0; i < PLAIN_REGISTERS.length; i++) {
            if (PLAIN_REGISTERS[i] == offset) {
                return i;
            }
        }
        return -1;
    }

    private static void checkOffset(int offset, int size) {
        if (offset < 0 || offset + size > RegisterMap.SIZE || (offset & (size - 1)) != 0) {
            throw new IllegalArgumentException(String.format(
                    "%d-byte register access at 0x%x is misaligned or outside [0, 0x%x)", size, offset,
                    RegisterMap.SIZE));
        }
    }

    // ---------------------------------------------------------------- fault recording

    private int faultStatusLocked() {
        boolean pending = false;
        for (int i = 1; i < faultRecords.length; i += 2) {
            pending |= faultRecords[i] < 0;
        }
        return faultStatus | (pending ? RegisterMap.FSTS_PPF : 0)
                | (pending ? faultRecordIndex << RegisterMap.FSTS_FRI_SHIFT : 0);
    }

    private void clearFaultRecord(int dword12Offset) {
        int index = (dword12Offset - configuration.capability().faultRecordingOffset()) / RegisterMap.FRCD_LENGTH;
        faultRecords[2 * index + 1] &= Long.MAX_VALUE;
    }

    /** Whether a fault recording register holds a fault (F = 1) of {@code sourceId}. */
    private boolean pendingFaultFrom(int sourceId) {
        for (int i = 1; i < faultRecords.length; i += 2) {
            if (faultRecords[i] < 0 && (faultRecords[i] & 0xffff) == sourceId) {
                return true;
            }
        }
        return false;
    }

    /** Records a fault by the rule of VT-d FSTS; FPD suppresses it, compression collapses it. */
    private void recordFault(FaultRecord record, boolean faultProcessingDisable) {
        if (faultProcessingDisable) {
            faultsSuppressed++;
            return;
        }
        if (compressFaults && pendingFaultFrom(record.sourceId())) {
            faultsCompressed++; // collapsed into the pending record of the same source id (VT-d FRCD.F)
            return;
        }
        int status = faultStatusLocked();
        int next = nextFaultRecord;
        if (faultRecords[2 * next + 1] < 0) {
            faultStatus |= RegisterMap.FSTS_PFO;
            faultsOverflowed++;
            return;
        }
        faultRecords[2 * next] = record.low();
        faultRecords[2 * next + 1] = record.high();
        faultsRecorded++;
        nextFaultRecord = (next + 1) % (faultRecords.length / 2);
        if ((status & RegisterMap.FSTS_PPF) == 0) {
            faultRecordIndex = next;
        }
        if ((status & (RegisterMap.FSTS_PPF | RegisterMap.FSTS_PFO | RegisterMap.FSTS_IQE)) == 0) {
            raise(UnitInterrupt.FAULT_EVENT);
        }
    }

    // ---------------------------------------------------------------- translation

    @Override
    public DmaTransaction issue(DmaAccess access) {
        return issue(new DmaTransaction(access));
    }

    @Override
    public DmaTransaction issue(DmaTransaction transaction) {
        transaction.admit();
        DmaAccess access = transaction.access();
        long result;
        synchronized (lock) {
            result = translateLocked(access);
        }
        flush();
        if (result == NO_TRANSLATION) {
            transaction.noTranslation();
        } else if (result == ABORT) {
            transaction.abort();
        } else {
            transaction.translate(result);
        }
        return transaction;
    }

    private long translateLocked(DmaAccess access) {
        if ((gsts & RegisterMap.GCMD_TE) == 0) {
            return access.address();
        }
        int rid = access.requesterId();
        boolean withPasid = access.hasPasid();
        // Execute and privileged travel in the PASID prefix: a request without one is neither (PCIe Page Request).
        boolean execute = withPasid && access.type().isInstruction();
        boolean write = access.type().isWrite();
        if ((rid & ~0xffff) != 0) {
            return ABORT; // not a PCIe requester id: no context entry can name it
        }
        if ((rootTable & RegisterMap.RTADDR_TTM_MASK) != RegisterMap.RTADDR_SMT) {
            // Legacy mode is not modelled.
            return fault(access, withPasid ? FaultReason.SM_TTM0_REQUEST_WITH_PASID
                    : FaultReason.SM_INVALID_ROOT_TABLE_ADDRESS, false);
        }
        if (!lookup.context(rootTable, rid)) {
            return fault(access, lookup.reason, lookup.faultProcessingDisable);
        }
        if (access.translationRequest() && (lookup.contextLow & 4) == 0) {
            return fault(access, FaultReason.SM_CONTEXT_DTE_CLEAR, lookup.faultProcessingDisable);
        }
        if (!lookup.pasidEntry(access.pasid(), withPasid && access.privileged())) {
            return fault(access, lookup.reason, lookup.faultProcessingDisable);
        }
        long[] entry = lookup.pasidEntry;
        boolean privileged = lookup.privileged;
        if (execute && (entry[2] & 2) == 0) {
            return fault(access, FaultReason.SM_PASID_ERE_CLEAR, lookup.faultProcessingDisable);
        }
        if (privileged && (entry[2] & 1) == 0) {
            return fault(access, FaultReason.SM_PASID_SRE_CLEAR, lookup.faultProcessingDisable);
        }
        if ((entry[0] >>> 6 & 7) == PasidTranslationType.PASS_THROUGH.code()) {
            return access.address();
        }
        int request = (write ? FirstLevelWalker.WRITE : 0) | (execute ? FirstLevelWalker.EXECUTE : 0)
                | (privileged ? FirstLevelWalker.SUPERVISOR : 0)
                | ((entry[2] >>> 4 & 1) != 0 ? FirstLevelWalker.WRITE_PROTECT : 0);
        if ((entry[0] >>> 6 & 7) == PasidTranslationType.NESTED.code()) {
            long secondLevelRoot = entry[0] & ~0xfffL;
            if ((secondLevelRoot >>> configuration.addressWidth()) != 0
                    || secondLevelRoot >= configuration.memoryTop()) {
                return fault(access, FaultReason.SM_SL_INVALID_POINTER, lookup.faultProcessingDisable);
            }
            walker.walkNested(entry[2] & ~0xfffL, access.address(), request, secondLevel, secondLevelRoot, walk);
        } else {
            walker.walk(entry[2] & ~0xfffL, access.address(), request, walk);
        }
        if (walk.translated()) {
            return walk.outputAddress();
        }
        if (access.translationRequest() && translationMiss(walk.fault())) {
            return NO_TRANSLATION;
        }
        return fault(access, reasonOf(walk, secondLevel.fault()), lookup.faultProcessingDisable);
    }

    /** Faults an ATS translation request reports as "no translation" rather than as a fault. */
    private static boolean translationMiss(WalkFault fault) {
        return fault == WalkFault.NOT_PRESENT || fault == WalkFault.USER || fault == WalkFault.WRITE
                || fault == WalkFault.EXECUTE;
    }

    /**
     * The fault reason of a first-level or nested walk failure (VT-d first-level faults; the nested and
     * second-level reasons of Linux's {@code dma_remap_sm_fault_reasons}).
     *
     * @param secondLevel why the second level refused, for the nested walk faults
     */
    static int reasonOf(WalkOutcome outcome, SecondLevelWalker.Fault secondLevel) {
        return switch (outcome.fault()) {
            case SECOND_LEVEL_TABLE -> switch (secondLevel) {
                case BEYOND_WIDTH -> FaultReason.SM_NESTED_FL_BEYOND_MGAW;
                case PERMISSION -> outcome.level() == 4 ? FaultReason.SM_NESTED_FL_PML4_READ
                        : FaultReason.SM_NESTED_FL_READ;
                default -> secondLevelReason(secondLevel);
            };
            case SECOND_LEVEL_TABLE_UPDATE -> secondLevel == SecondLevelWalker.Fault.PERMISSION
                    ? FaultReason.SM_NESTED_FL_WRITE : secondLevelReason(secondLevel);
            case SECOND_LEVEL_OUTPUT -> switch (secondLevel) {
                case BEYOND_WIDTH -> FaultReason.SM_SL_BEYOND_MAX;
                case PERMISSION -> FaultReason.SM_SL_PERMISSION;
                default -> secondLevelReason(secondLevel);
            };
            case NON_CANONICAL -> FaultReason.SM_FL_NON_CANONICAL;
            case TABLE_ACCESS -> outcome.level() == 4 ? FaultReason.SM_FL_PML4_ACCESS : FaultReason.SM_FL_ENTRY_ACCESS;
            case NOT_PRESENT -> FaultReason.SM_FL_NOT_PRESENT;
            case RESERVED -> FaultReason.SM_FL_RESERVED;
            case USER -> FaultReason.SM_FL_USER;
            case WRITE -> FaultReason.SM_WRITE;
            case EXECUTE -> FaultReason.SM_FL_EXECUTE;
            case INTERRUPT_ADDRESS -> FaultReason.SM_INTERRUPT_ADDRESS;
            case NONE -> throw new IllegalArgumentException("the walk did not fault");
        };
    }

    /** A second-level entry that could not be fetched (0x78) or has reserved bits (0x7A). */
    private static int secondLevelReason(SecondLevelWalker.Fault fault) {
        return fault == SecondLevelWalker.Fault.RESERVED ? FaultReason.SM_SL_RESERVED
                : FaultReason.SM_SL_ENTRY_ACCESS;
    }

    private long fault(DmaAccess access, int reason, boolean faultProcessingDisable) {
        boolean withPasid = access.hasPasid();
        recordFault(new FaultRecord(access.pageAddress(), access.requesterId(), withPasid,
                withPasid ? access.pasid() : 0, reason, access.type().isRead(), false,
                withPasid && access.privileged(), withPasid && access.type().isInstruction(), 0, true),
                faultProcessingDisable);
        return ABORT;
    }

    // ---------------------------------------------------------------- page requests

    @Override
    public void pageRequest(PageRequestMessage message) {
        synchronized (lock) {
            if (holdInFlight) {
                inFlight.add(message);
                return;
            }
            pageRequestLocked(message);
        }
        flush();
    }

    /**
     * Models page requests still travelling from the device to the unit (posted PCIe messages): while
     * {@code hold} is on they are kept in flight instead of being queued. They reach the page request queue, in
     * order, when an invalidation wait with page-request drain (PD, VT-d spec 7.10) is processed, or when the
     * hold is turned off. A driver that tears a PASID down without the drain therefore finds its requests in the
     * queue only later, after the PASID has a new owner.
     */
    public void holdPageRequestsInFlight(boolean hold) {
        synchronized (lock) {
            holdInFlight = hold;
            if (!hold) {
                landInFlightLocked();
            }
        }
        flush();
    }

    /** Page requests in flight now (see {@link #holdPageRequestsInFlight}). */
    public int pageRequestsInFlight() {
        synchronized (lock) {
            return inFlight.size();
        }
    }

    private void landInFlightLocked() {
        PageRequestMessage m;
        while ((m = inFlight.poll()) != null) {
            pageRequestLocked(m);
        }
    }

    private void pageRequestLocked(PageRequestMessage message) {
        int reason = -1;
        boolean faultProcessingDisable = false;
        if ((rootTable & RegisterMap.RTADDR_TTM_MASK) != RegisterMap.RTADDR_SMT) {
            reason = FaultReason.SM_TTM0_PAGE_GROUP_REQUEST;
        } else if (!lookup.context(rootTable, message.requesterId())) {
            reason = lookup.reason;
            faultProcessingDisable = lookup.faultProcessingDisable;
        } else if ((lookup.contextLow & 0x10) == 0) {
            reason = FaultReason.SM_CONTEXT_PRE_CLEAR;
            faultProcessingDisable = lookup.faultProcessingDisable;
        } else if (message.hasPasid() && (lookup.contextLow & 8) == 0) {
            reason = FaultReason.SM_CONTEXT_PASIDE_CLEAR;
            faultProcessingDisable = lookup.faultProcessingDisable;
        }
        if (reason >= 0) {
            // T = 01, a page/translation request: T1 = 0, T2 = 1 (VT-d FRCD, inferred order).
            recordFault(new FaultRecord(message.pageAddress(), message.requesterId(), message.hasPasid(),
                    message.hasPasid() ? message.pasid() : 0, reason, false, true, message.privileged(),
                    message.execute(), 0, true), faultProcessingDisable);
            respondOnBehalf(message, PrgResponseCode.INVALID_REQUEST);
            return;
        }
        long size = pageRequestQueueSize();
        if (size == 0) {
            pageRequestsDiscarded++;
            respondOnBehalf(message, PrgResponseCode.RESPONSE_FAILURE);
            return;
        }
        if ((prs & RegisterMap.PRS_PRO) != 0) {
            pageRequestsDiscarded++;
            respondOnBehalf(message, PrgResponseCode.SUCCESS);
            return;
        }
        long head = pqh % size;
        long tail = pqt % size;
        if ((tail + PageRequestDescriptor.SIZE) % size == head) {
            prs |= RegisterMap.PRS_PRO;
            pageRequestsDiscarded++;
            respondOnBehalf(message, PrgResponseCode.SUCCESS);
            raise(UnitInterrupt.PAGE_REQUEST_EVENT);
            return;
        }
        long slot = (pqa & RegisterMap.QUEUE_BASE_MASK) + tail;
        memory.write64(slot, PageRequestDescriptor.qw0(message));
        memory.write64(slot + 8, PageRequestDescriptor.qw1(message));
        memory.write64(slot + 16, 0); // no private data
        memory.write64(slot + 24, 0);
        pqt = (tail + PageRequestDescriptor.SIZE) % size;
        pageRequestsQueued++;
        boolean quiet = (prs & (RegisterMap.PRS_PPR | RegisterMap.PRS_PRO)) == 0;
        prs |= RegisterMap.PRS_PPR;
        if (quiet) {
            raise(UnitInterrupt.PAGE_REQUEST_EVENT);
        }
    }

    /** The ring size in bytes, 0 when no usable queue is programmed (or page requests are unsupported). */
    private long pageRequestQueueSize() {
        if (!pageRequestQueueProgrammed
                || !configuration.extendedCapability().has(ExtendedCapability.PAGE_REQUESTS)) {
            return 0;
        }
        long size = 4096L << (pqa & RegisterMap.QUEUE_SIZE_MASK);
        long base = pqa & RegisterMap.QUEUE_BASE_MASK;
        return base + size <= configuration.memoryTop() ? size : 0;
    }

    private void respondOnBehalf(PageRequestMessage message, PrgResponseCode code) {
        if (message.last() && !message.isStopMarker()) {
            automaticResponses++;
            pendingResponses.add(message.requesterId(), message.pasid(), message.prgIndex(), code.code());
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for a requester id wider than 16 bits (no PCIe function has one)
     */
    @Override
    public void connect(int requesterId, PrgResponseReceiver receiver) {
        Objects.requireNonNull(receiver, "receiver");
        synchronized (lock) {
            receivers[requesterIdIndex(requesterId)] = receiver;
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws IllegalArgumentException for a requester id wider than 16 bits
     */
    @Override
    public void disconnect(int requesterId) {
        synchronized (lock) {
            receivers[requesterIdIndex(requesterId)] = null;
        }
    }

    private static int requesterIdIndex(int requesterId) {
        if ((requesterId & ~0xffff) != 0) {
            throw new IllegalArgumentException("requester id 0x" + Integer.toHexString(requesterId)
                    + " does not fit 16 bits");
        }
        return requesterId;
    }

    // ---------------------------------------------------------------- invalidation queue

    private void processInvalidationsLocked() {
        if ((gsts & RegisterMap.GCMD_QIE) == 0 || (faultStatus & RegisterMap.FSTS_IQE) != 0) {
            return;
        }
        boolean wide = (iqa & RegisterMap.IQA_DW) != 0;
        int width = wide ? 32 : 16;
        long size = 4096L << (iqa & RegisterMap.QUEUE_SIZE_MASK);
        long base = iqa & RegisterMap.QUEUE_BASE_MASK;
        if (iqt >= size || (iqt & (width - 1)) != 0 || base + size > configuration.memoryTop()) {
            invalidationError();
            return;
        }
        while (iqh != iqt) {
            long at = base + iqh;
            long qw0 = memory.read64(at);
            long qw1 = memory.read64(at + 8);
            InvalidationType type = InvalidationType.of(qw0);
            if (type == null || type == InvalidationType.PAGE_STREAM_RESPONSE || (!wide && (qw0 & 0xe00) != 0)) {
                invalidationError();
                return;
            }
            if (type == InvalidationType.PAGE_GROUP_RESPONSE) {
                if (PageGroupResponse.reservedBitsSet(qw0, qw1)) {
                    invalidationError();
                    return;
                }
                pendingResponses.add(PageGroupResponse.requesterId(qw0), PageGroupResponse.pasidOrNone(qw0),
                        PageGroupResponse.groupIndex(qw1), PageGroupResponse.responseCode(qw0));
            } else if (type == InvalidationType.PASID_CACHE) {
                // pc_inv_dsc: G qw0 [5:4], DID [31:16], PASID [51:32] (Linux QI_PC_GRAN, QI_PC_DID, QI_PC_PASID)
                if (!lookup.invalidatePasidCache((int) (qw0 >>> 4) & 3, (int) (qw0 >>> 16) & 0xffff,
                        (int) (qw0 >>> 32) & 0xfffff)) {
                    invalidationError();
                    return;
                }
            } else if (type == InvalidationType.CONTEXT_CACHE) {
                // cc_inv_dsc: G qw0 [5:4], DID [31:16], SID [47:32] (Linux QI_CC_GRAN, QI_CC_DID, QI_CC_SID)
                if (!lookup.invalidateContextCache((int) (qw0 >>> 4) & 3, (int) (qw0 >>> 16) & 0xffff,
                        (int) (qw0 >>> 32) & 0xffff)) {
                    invalidationError();
                    return;
                }
            } else if (type == InvalidationType.WAIT) {
                InvalidationWait wait = InvalidationWait.decode(qw0, qw1);
                if (wait.statusWrite()) {
                    // an address with bit 63 set is beyond memory too (not a negative offset)
                    if (wait.statusAddress() < 0 || wait.statusAddress() + 4 > configuration.memoryTop()) {
                        invalidationError();
                        return;
                    }
                    memory.write32(wait.statusAddress(), wait.statusData());
                }
                if (wait.pageRequestDrain()
                        && configuration.extendedCapability().has(ExtendedCapability.PAGE_REQUEST_DRAIN)) {
                    // PD: complete only after every page request received before this wait is in the queue
                    landInFlightLocked();
                }
                if (wait.interruptFlag()) {
                    ics |= RegisterMap.ICS_IWC;
                    raise(UnitInterrupt.INVALIDATION_EVENT);
                }
            }
            iqh = (iqh + width) % size;
        }
    }

    /** FSTS.IQE: the queue stops at IQH until software clears IQE; the fault event is raised. */
    private void invalidationError() {
        int status = faultStatusLocked();
        faultStatus |= RegisterMap.FSTS_IQE;
        invalidationErrors++;
        if ((status & (RegisterMap.FSTS_PPF | RegisterMap.FSTS_PFO | RegisterMap.FSTS_IQE)) == 0) {
            raise(UnitInterrupt.FAULT_EVENT);
        }
    }

    // ---------------------------------------------------------------- outputs

    /** Delivers responses and interrupts queued under the lock, outside it. */
    private void flush() {
        int interrupts;
        synchronized (lock) {
            interrupts = pendingInterrupts;
            pendingInterrupts = 0;
        }
        // one at a time, in order, from the head: a receiver that makes the unit queue more (a retried access, a
        // nested flush) neither reorders nor repeats a response, and nothing is copied
        while (true) {
            long response;
            @Nullable PrgResponseReceiver receiver;
            synchronized (lock) {
                if (pendingResponses.isEmpty()) {
                    break;
                }
                response = pendingResponses.poll();
                receiver = receivers[PendingResponses.destinationId(response)];
                if (receiver == null) {
                    responsesUndeliverable++;
                } else {
                    responsesSent++;
                }
            }
            if (receiver != null) {
                receiver.receive(PendingResponses.destinationId(response), PendingResponses.pasid(response),
                        PendingResponses.prgIndex(response), PendingResponses.responseCode(response));
            }
        }
        InterruptSink sink = interruptSink;
        for (UnitInterrupt interrupt : INTERRUPTS) {
            if ((interrupts & 1 << interrupt.ordinal()) != 0) {
                sink.raise(interrupt);
            }
        }
    }

    @Override
    public String toString() {
        return "RemappingUnit[" + configuration.name() + "]";
    }
}
