package dev.faultline.platform.smmuv3;

import dev.faultline.platform.arm.Descriptor;
import dev.faultline.platform.arm.FaultKind;
import dev.faultline.platform.arm.Stage;
import dev.faultline.platform.arm.TableAddressTranslator;
import dev.faultline.platform.arm.TableWalker;
import dev.faultline.platform.arm.WalkOutcome;
import dev.faultline.platform.arm.WalkParameters;
import dev.faultline.platform.arm.WalkResult;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.function.LongPredicate;
import org.jspecify.annotations.Nullable;

/**
 * The SMMU's translation pipeline for one transaction, in the order of IHI 0070 §7.3.22:
 * StreamID range, STE fetch and checks, SubstreamID checks, CD fetch (through stage 2 when nested) and checks,
 * the stage-1 walk (its table fetches through stage 2), then the stage-2 walk of the output IPA. Each failure
 * becomes the event IHI 0070 §7.3.2-7.3.21 names, with CLASS, S2, IPA and fetch address set per §7.3.22.
 *
 * <p>Stateless between calls; the caller holds the SMMU lock.
 *
 * <p><b>Size.</b> One class because it is the spec's pipeline in its order (IHI 0070 §7.3.22), one method per stage;
 * split, the order in which checks raise their events would no longer read from top to bottom.
 */
final class TranslationEngine {

    /** The register state a translation reads. */
    record Registers(boolean smmuEnabled, boolean bypassAborts, long strtabBase, int strtabCfg, boolean recordInvalidSid) {
    }

    private final PhysicalMemory memory;
    private final LongPredicate externalAbort;
    /** Decoded STEs and CDs of recent transactions (each still read from memory every time). */
    private final DecodedDescriptors<StreamTableEntry> streamEntries =
            new DecodedDescriptors<>(1024, StreamTableEntry::decode);
    private final DecodedDescriptors<ContextDescriptor> contexts =
            new DecodedDescriptors<>(1024, ContextDescriptor::decode);
    /** Stage-1 walk parameters of recent (CD, STE) pairs, by the CD's address; a pair is the same decoded objects. */
    private static final int PARAMETER_SLOTS = 1024;
    private final ContextDescriptor[] parameterCds = new ContextDescriptor[PARAMETER_SLOTS];
    private final StreamTableEntry[] parameterStes = new StreamTableEntry[PARAMETER_SLOTS];
    private final WalkParameters[] parameterValues = new WalkParameters[PARAMETER_SLOTS];
    private final TableWalker walker;
    private final SmmuFeatures features;
    /** The decision of the translation in progress (reused: translations run one at a time, under the lock). */
    private final Attempt result = new Attempt();
    /** The attributes of the transaction in progress (reused likewise). */
    private final Access current = new Access();
    /** The words of the event the translation in progress records (reused; the SMMU copies what it keeps). */
    private final long[] eventWords = new long[4];
    /** Why the last {@link #locate} found no STE: its event, or null when none is recorded. */
    private long @Nullable [] locateEvent;
    /** The outcome of the stage-1 walk in progress (reused likewise). */
    private final WalkOutcome walk = new WalkOutcome();

    TranslationEngine(PhysicalMemory memory, LongPredicate externalAbort, SmmuFeatures features) {
        this.memory = memory;
        this.externalAbort = externalAbort;
        this.walker = new TableWalker(memory, externalAbort);
        this.features = features;
    }

    Attempt translate(DmaAccess a, Registers r) {
        if (!r.smmuEnabled()) {
            return r.bypassAborts() ? result.abort(null) : result.translated(a.address()); // GBPA
        }
        int sid = a.requesterId();
        long steAddress = locate(sid, r, a);
        if (steAddress < 0) {
            return result.abort(locateEvent);
        }
        if (externalAbort.test(steAddress)) {
            return result.abort(fetch(EventType.F_STE_FETCH, sid, false, 0, steAddress));
        }
        StreamTableEntry ste = streamEntries.read(memory, steAddress);
        if (!ste.valid() || illegal(ste)) {
            return result.abort(config(EventType.C_BAD_STE, sid, a, false));
        }
        if (ste.config() == StreamTableEntry.CFG_ABORT) {
            return result.abort(null); // STE.V = 1, Config = 0b000: abort with no event
        }
        boolean privileged = switch (ste.privCfg()) {
            case 2 -> false;
            case 3 -> true;
            default -> a.privileged();
        };
        AccessType type = a.type() == AccessType.WRITE ? AccessType.WRITE : switch (ste.instCfg()) {
            case 2 -> AccessType.READ;
            case 3 -> AccessType.INSTRUCTION_FETCH;
            default -> a.type();
        };
        Access access = current.reset(a, sid, type, privileged);
        if (a.translationRequest() && ste.eats() == 0) {
            return result.abort(access.event(EventType.F_BAD_ATS_TREQ, false, EventRecord.CLASS_IN, 0));
        }
        if (!ste.stage1() && a.hasPasid()) {
            return result.abort(config(EventType.C_BAD_SUBSTREAMID, sid, a, true));
        }
        long ipa = a.address();
        NestedTables nested = ste.stage2() ? new NestedTables(ste, access) : null;
        if (ste.stage1()) {
            Attempt stage1 = stage1(ste, access, nested);
            if (stage1.kind() != Attempt.Kind.TRANSLATED) {
                return stage1;
            }
            ipa = stage1.output();
        } else if (!ste.stage2() && (ipa >>> Math.min(features.oasBits(), WalkParameters.MAX_OUTPUT_BITS)) != 0) {
            return access.fault(EventType.F_ADDR_SIZE, false, EventRecord.CLASS_IN, 0, false, true, true);
        }
        if (nested == null) {
            return result.translated(ipa);
        }
        WalkResult w = walker.walk(nested.parameters, ipa, access.type, false, TableAddressTranslator.IDENTITY);
        if (w.translated()) {
            return result.translated(w.outputAddress());
        }
        return nested.fault(w, EventRecord.CLASS_IN, ipa, false);
    }

    /**
     * The address of the STE of a stream, or -1 with {@link #locateEvent} set to the event that says why it cannot be
     * found (null: none is recorded).
     */
    private long locate(int sid, Registers r, DmaAccess a) {
        locateEvent = null;
        long sidU = sid & 0xffff_ffffL;
        int log2 = r.strtabCfg() & SmmuRegisters.STRTAB_BASE_CFG_LOG2SIZE;
        if (sidU >= 1L << Math.min(log2, features.sidBits())) {
            return notLocated(r.recordInvalidSid() ? config(EventType.C_BAD_STREAMID, sid, a, false) : null);
        }
        long base = r.strtabBase() & SmmuRegisters.STRTAB_BASE_ADDR_MASK;
        if (((r.strtabCfg() >>> SmmuRegisters.STRTAB_BASE_CFG_FMT_SHIFT) & 3) != 1
                || !features.twoLevelStreamTable()) {
            return base + StreamTableEntry.BYTES * sidU;
        }
        int split = (r.strtabCfg() >>> SmmuRegisters.STRTAB_BASE_CFG_SPLIT_SHIFT) & 0x1f;
        long l1 = base + 8 * (sidU >>> split);
        if (externalAbort.test(l1)) {
            return notLocated(fetch(EventType.F_STE_FETCH, sid, false, 0, l1));
        }
        long desc = memory.read64(l1);
        int span = (int) (desc & SmmuRegisters.STRTAB_L1_DESC_SPAN);
        long low = sidU & ((1L << split) - 1);
        if (span == 0 || span > split + 1 || low >= 1L << (span - 1)) {
            return notLocated(config(EventType.C_BAD_STREAMID, sid, a, false));
        }
        return (desc & SmmuRegisters.STRTAB_L1_DESC_L2PTR_MASK) + StreamTableEntry.BYTES * low;
    }

    private long notLocated(long @Nullable [] event) {
        locateEvent = event;
        return -1;
    }

    /**
     * The valid, legal STE of {@code sid}, or null if the SMMU cannot check the stream (what PRI auto-responses
     * need, PCIe PRG Response).
     */
    @Nullable StreamTableEntry lookup(int sid, Registers r) {
        if (!r.smmuEnabled()) {
            return null;
        }
        long steAddress = locate(sid, r, DmaAccess.of(sid, 0, AccessType.READ, 1));
        if (steAddress < 0 || externalAbort.test(steAddress)) {
            return null;
        }
        StreamTableEntry ste = streamEntries.read(memory, steAddress);
        return ste.valid() && !illegal(ste) ? ste : null;
    }

    private Attempt stage1(StreamTableEntry ste, Access access, @Nullable NestedTables nested) {
        DmaAccess a = access.access;
        int cdMax = ste.s1CdMax();
        int index = 0;
        if (a.hasPasid()) {
            if (cdMax == 0 || a.pasid() >= 1 << cdMax) {
                return result.abort(config(EventType.C_BAD_SUBSTREAMID, access.sid, a, true));
            }
            if (a.pasid() == 0 && ste.s1Dss() == StreamTableEntry.S1DSS_SSID0) {
                return result.abort(config(EventType.F_STREAM_DISABLED, access.sid, a, false));
            }
            index = a.pasid();
        } else if (cdMax > 0) {
            switch (ste.s1Dss()) {
                case StreamTableEntry.S1DSS_BYPASS:
                    return result.translated(a.address());
                case StreamTableEntry.S1DSS_SSID0:
                    break;
                default:
                    return result.abort(config(EventType.F_STREAM_DISABLED, access.sid, a, false));
            }
        }
        long cdIpa = ste.s1ContextPtr();
        int fmt = ste.s1Fmt() == 3 ? 0 : ste.s1Fmt();
        if (cdMax > 0 && fmt != 0 && features.twoLevelCdTable()) {
            int split = fmt == 1 ? ContextDescriptor.SPLIT_4K : ContextDescriptor.SPLIT_64K;
            long l1Ipa = ste.s1ContextPtr() + 8L * (index >>> split);
            long l1 = nested == null ? l1Ipa : nested.translate(l1Ipa, false);
            if (l1 == TableAddressTranslator.FAULT) {
                return nested.fault(nested.last, EventRecord.CLASS_CD, l1Ipa, false);
            }
            if (externalAbort.test(l1)) {
                return result.abort(fetch(EventType.F_CD_FETCH, access.sid, a.hasPasid(), a.pasid(), l1));
            }
            long desc = memory.read64(l1);
            if ((desc & ContextDescriptor.L1_DESC_V) == 0) {
                return result.abort(config(EventType.C_BAD_SUBSTREAMID, access.sid, a, true));
            }
            cdIpa = (desc & ContextDescriptor.L1_DESC_L2PTR_MASK) + ContextDescriptor.BYTES * (long) (index & ((1 << split) - 1));
        } else if (cdMax > 0) {
            cdIpa += ContextDescriptor.BYTES * (long) index;
        }
        long cdPa = nested == null ? cdIpa : nested.translate(cdIpa, false);
        if (cdPa == TableAddressTranslator.FAULT) {
            return nested.fault(nested.last, EventRecord.CLASS_CD, cdIpa, false);
        }
        if (externalAbort.test(cdPa)) {
            return result.abort(fetch(EventType.F_CD_FETCH, access.sid, a.hasPasid(), a.pasid(), cdPa));
        }
        ContextDescriptor cd = contexts.read(memory, cdPa);
        WalkParameters p = cd.valid() ? parameters(cdPa, cd, ste) : null;
        if (p == null) {
            return result.abort(config(EventType.C_BAD_CD, access.sid, a, false));
        }
        boolean stall = features.stallModel() == 2 || features.stallModel() == 0 && cd.stall();
        WalkOutcome w = walk;
        if (walker.walk(p, a.address(), access.type, access.privileged,
                nested == null ? TableAddressTranslator.IDENTITY : nested, w)) {
            return result.translated(w.outputAddress());
        }
        if (w.fault() == FaultKind.TABLE_ADDRESS) {
            return nested.fault(nested.last, EventRecord.CLASS_TT, nested.lastAddress, nested.lastWrite);
        }
        if (w.fault() == FaultKind.EXTERNAL_ABORT) {
            return result.abort(access.walkAbort(false, EventRecord.CLASS_TT, w.descriptorAddress()));
        }
        return access.fault(eventOf(w.fault()), false, EventRecord.CLASS_IN, 0, stall, cd.record() || stall,
                cd.abort() || features.termModel());
    }

    /** The walk parameters of a valid CD under its STE, remembered while both are unchanged; null if ILLEGAL. */
    private @Nullable WalkParameters parameters(long cdAddress, ContextDescriptor cd, StreamTableEntry ste) {
        int slot = DecodedDescriptors.slotOf(cdAddress, PARAMETER_SLOTS - 1);
        if (parameterCds[slot] == cd && parameterStes[slot] == ste) {
            return parameterValues[slot];
        }
        WalkParameters p = parameters(cd, ste);
        parameterCds[slot] = cd;
        parameterStes[slot] = ste;
        parameterValues[slot] = p;
        return p;
    }

    /** Stage-1 walk parameters of a CD, or null if the CD is ILLEGAL (C_BAD_CD). */
    private @Nullable WalkParameters parameters(ContextDescriptor cd, StreamTableEntry ste) {
        if (!cd.aa64() || cd.tg0() != 0 || cd.t0sz() < 16 || cd.t0sz() > 39 || cd.ips() > 6
                || cd.stall() && ste.s1Stalld() && features.stallModel() == 0) {
            return null;
        }
        int outputBits = Math.min(Math.min(WalkParameters.outputBitsOf(cd.ips()), features.oasBits()),
                WalkParameters.MAX_OUTPUT_BITS);
        if ((cd.ttb0() >>> outputBits) != 0) {
            return null;
        }
        int inputBits = 64 - cd.t0sz();
        try {
            return new WalkParameters(Stage.STAGE1, cd.ttb0(), inputBits, WalkParameters.stage1StartLevel(inputBits),
                    outputBits, cd.affd(), cd.ha(), cd.hd(), cd.tbi0(), cd.epd0());
        } catch (IllegalArgumentException misaligned) {
            return null;
        }
    }

    /** Whether a valid STE is ILLEGAL (C_BAD_STE). */
    private boolean illegal(StreamTableEntry ste) {
        int config = ste.config();
        if (config >= 1 && config <= 3) {
            return true; // reserved Config values
        }
        if (ste.stage1() && (ste.s1CdMax() > features.ssidBits() || ste.s1Stalld() && features.stallModel() != 0)) {
            return true;
        }
        return ste.stage2() && stage2Parameters(ste) == null;
    }

    /** The stage-2 walk parameters of an STE, or null if they do not describe a legal walk. */
    private @Nullable WalkParameters stage2Parameters(StreamTableEntry ste) {
        if (!ste.s2Aa64() || ste.s2Tg() != 0 || ste.s2Sl0() == 3 || ste.s2Ps() > 6) {
            return null;
        }
        int outputBits = Math.min(Math.min(WalkParameters.outputBitsOf(ste.s2Ps()), features.oasBits()),
                WalkParameters.MAX_OUTPUT_BITS);
        if ((ste.s2Ttb() >>> outputBits) != 0) {
            return null;
        }
        try {
            return new WalkParameters(Stage.STAGE2, ste.s2Ttb(), 64 - ste.s2T0sz(),
                    WalkParameters.stage2StartLevel(ste.s2Sl0()), outputBits, ste.s2Affd(), ste.s2Ha(), ste.s2Hd(),
                    false, false);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static EventType eventOf(FaultKind kind) {
        return switch (kind) {
            case TRANSLATION -> EventType.F_TRANSLATION;
            case ADDRESS_SIZE -> EventType.F_ADDR_SIZE;
            case ACCESS_FLAG -> EventType.F_ACCESS;
            case PERMISSION -> EventType.F_PERMISSION;
            default -> throw new IllegalArgumentException(kind + " has no translation event");
        };
    }

    /** C_BAD_STREAMID, C_BAD_STE, C_BAD_CD, F_STREAM_DISABLED, C_BAD_SUBSTREAMID: common fields only (§1.6). */
    private static long[] config(EventType type, int sid, DmaAccess a, boolean substreamAlways) {
        boolean ssv = a.hasPasid() && type != EventType.F_STREAM_DISABLED;
        long dw0 = type.id() | ((sid & 0xffff_ffffL) << 32);
        if (substreamAlways) {
            dw0 |= (long) a.pasid() << 12; // C_BAD_SUBSTREAMID: no SSV bit, SubstreamID always valid
        } else if (ssv && type != EventType.C_BAD_STREAMID) {
            dw0 |= EventRecord.EVTQ_0_SSV | (long) a.pasid() << 12;
        }
        return new long[] {dw0, 0, 0, 0};
    }

    /** F_STE_FETCH, F_CD_FETCH: the fetch address in dw3 [55:3]. */
    private static long[] fetch(EventType type, int sid, boolean ssv, int ssid, long fetchAddress) {
        long dw0 = type.id() | ((sid & 0xffff_ffffL) << 32) | (ssv ? EventRecord.EVTQ_0_SSV | (long) ssid << 12 : 0);
        return new long[] {dw0, 0, 0, fetchAddress & 0x00ff_ffff_ffff_fff8L};
    }

    /** One transaction's attributes after the STE overrides. */
    private final class Access {
        DmaAccess access;
        int sid;
        AccessType type;
        boolean privileged;

        Access reset(DmaAccess a, int streamId, AccessType accessType, boolean priv) {
            this.access = a;
            this.sid = streamId;
            this.type = accessType;
            this.privileged = priv;
            return this;
        }

        long[] event(EventType t, boolean s2, int faultClass, long dword3) {
            long dw0 = t.id() | ((sid & 0xffff_ffffL) << 32)
                    | (access.hasPasid() ? EventRecord.EVTQ_0_SSV | (long) access.pasid() << 12 : 0);
            long dw1 = (privileged ? EventRecord.EVTQ_1_PNU : 0)
                    | (type == AccessType.INSTRUCTION_FETCH ? EventRecord.EVTQ_1_IND : 0)
                    | (type.isRead() ? EventRecord.EVTQ_1_RNW : 0) | (s2 ? EventRecord.EVTQ_1_S2 : 0)
                    | (long) faultClass << EventRecord.EVTQ_1_CLASS_SHIFT;
            eventWords[0] = dw0;
            eventWords[1] = dw1;
            eventWords[2] = access.address();
            eventWords[3] = dword3;
            return eventWords;
        }

        /** A translation-related event; an ATS translation request gets no record and no access instead. */
        Attempt fault(EventType t, boolean s2, int faultClass, long ipa, boolean stall, boolean record, boolean abort) {
            if (access.translationRequest()) {
                return result.noTranslation();
            }
            return result.fault(event(t, s2, faultClass, ipa & 0x00ff_ffff_ffff_f000L), stall, record, abort);
        }

        /** F_WALK_EABT: never stalls, always recorded (§1.6, §1.7). */
        long[] walkAbort(boolean s2, int faultClass, long fetchAddress) {
            return event(EventType.F_WALK_EABT, s2, faultClass, fetchAddress & 0x00ff_ffff_ffff_fff8L);
        }
    }

    /** Stage 2 for a nested transaction: translates CD and stage-1 table addresses, keeping the last failure. */
    private final class NestedTables implements TableAddressTranslator {
        final WalkParameters parameters;
        final StreamTableEntry ste;
        final Access access;
        WalkResult last;
        long lastAddress;
        boolean lastWrite;

        NestedTables(StreamTableEntry ste, Access access) {
            this.ste = ste;
            this.access = access;
            this.parameters = stage2Parameters(ste);
        }

        @Override
        public long translate(long address, boolean write) {
            WalkResult w = walker.walk(parameters, address, write ? AccessType.WRITE : AccessType.READ, false,
                    TableAddressTranslator.IDENTITY);
            if (w.translated() && ste.s2Ptw() && isDeviceMemory(w.descriptor())) {
                // S2PTW: a table walk or CD fetch landing on stage-2 Device memory is a stage-2 permission fault
                w = WalkResult.fault(FaultKind.PERMISSION, w.level(), w.descriptor(), w.descriptorAddress());
            }
            if (w.translated()) {
                return w.outputAddress();
            }
            last = w;
            lastAddress = address;
            lastWrite = write;
            return FAULT;
        }

        /** The event of a stage-2 failure while translating {@code ipa} for {@code faultClass}. */
        Attempt fault(WalkResult w, int faultClass, long ipa, boolean descriptorWrite) {
            if (w.fault() == FaultKind.EXTERNAL_ABORT) {
                return result.abort(access.walkAbort(true, faultClass, w.descriptorAddress()));
            }
            EventType t = eventOf(w.fault());
            Attempt f = access.fault(t, true, faultClass, ipa, features.stallModel() == 2
                    || features.stallModel() == 0 && ste.s2Stall(), ste.s2Record() || ste.s2Stall(), true);
            if (f.event() != null && t == EventType.F_PERMISSION && faultClass == EventRecord.CLASS_TT
                    && !descriptorWrite) {
                f.event()[1] |= EventRecord.EVTQ_1_TT_READ;
            }
            return f;
        }
    }

    /** Stage-2 MemAttr[3:2] = 0b00: Device memory. */
    static boolean isDeviceMemory(long s2Descriptor) {
        return (s2Descriptor & Descriptor.MEMATTR_MASK & 0x30L) == 0;
    }
}
