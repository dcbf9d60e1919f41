package dev.faultline.platform.smmuv3;

import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * An SMMUv3 event queue record: 4 dwords, 32 bytes (IHI 0070 §7.3; Linux {@code EVTQ_*}
 * macro names). Decoding follows Linux's {@code arm_smmu_decode_event} where the spec leaves a choice: the IPA is
 * {@code dw3 & [51:12]} and the fetch address {@code dw3 & [51:3]} whatever the event.
 *
 * <p>The static {@code dw*} and field accessors read raw dwords without allocating, for a driver's event thread.
 *
 * @param id the event number
 * @param ssv SubstreamID valid (dw0 bit 11)
 * @param ssid the SubstreamID (dw0 [31:12]) as recorded, even when SSV = 0 (C_BAD_SUBSTREAMID has no SSV bit)
 * @param sid the StreamID (dw0 [63:32])
 * @param stag the stall tag (dw1 [15:0])
 * @param stall the transaction is stalled (dw1 bit 31)
 * @param privileged PnU (dw1 bit 33)
 * @param instruction InD (dw1 bit 34)
 * @param read RnW (dw1 bit 35): 1 = read
 * @param s2 a stage-2 fault (dw1 bit 39)
 * @param faultClass CLASS (dw1 [41:40]): {@link #CLASS_CD}, {@link #CLASS_TT}, {@link #CLASS_IN}
 * @param ttRead TTRnW (dw1 bit 44): F_PERMISSION with CLASS = TT: 1 = the walk read the descriptor
 * @param inputAddress InputAddr (dw2)
 * @param dword3 dw3 whole: IPA [55:12] or FetchAddr [55:3], per event
 */
public record EventRecord(int id, boolean ssv, int ssid, int sid, int stag, boolean stall, boolean privileged,
        boolean instruction, boolean read, boolean s2, int faultClass, boolean ttRead, long inputAddress,
        long dword3) {

    /** {@code EVTQ_ENT_DWORDS}. */
    public static final int DWORDS = 4;
    /** Record size in bytes. */
    public static final int BYTES = 32;
    /** The {@link dev.faultline.api.fault.HardwareRecord} format name of an event record. */
    public static final String FORMAT = "smmuv3-event";
    /** CLASS 0: the CD fetch faulted. */
    public static final int CLASS_CD = 0;
    /** CLASS 1 ({@code EVTQ_1_CLASS_TT}): a stage-1 table walk access faulted. */
    public static final int CLASS_TT = 1;
    /** CLASS 2: the input address faulted. */
    public static final int CLASS_IN = 2;
    /** {@code EVTQ_0_SSV}. */
    public static final long EVTQ_0_SSV = 1L << 11;
    /** {@code EVTQ_1_STALL}. */
    public static final long EVTQ_1_STALL = 1L << 31;
    /** {@code EVTQ_1_PnU}. */
    public static final long EVTQ_1_PNU = 1L << 33;
    /** {@code EVTQ_1_InD}. */
    public static final long EVTQ_1_IND = 1L << 34;
    /** {@code EVTQ_1_RnW}. */
    public static final long EVTQ_1_RNW = 1L << 35;
    /** {@code EVTQ_1_S2}. */
    public static final long EVTQ_1_S2 = 1L << 39;
    /** {@code EVTQ_1_CLASS} shift. */
    public static final int EVTQ_1_CLASS_SHIFT = 40;
    /** {@code EVTQ_1_TT_READ}. */
    public static final long EVTQ_1_TT_READ = 1L << 44;
    /** {@code EVTQ_3_IPA}: [51:12]. */
    public static final long EVTQ_3_IPA = 0x000f_ffff_ffff_f000L;
    /** {@code EVTQ_3_FETCH_ADDR}: [51:3]. */
    public static final long EVTQ_3_FETCH_ADDR = 0x000f_ffff_ffff_fff8L;

    private static final String[] CLASS_NAMES = {
        "CD fetch", "Stage 1 translation table fetch", "Input address caused fault", "Reserved"
    };

    /**
     * Validates field widths.
     *
     * @throws IllegalArgumentException for a field wider than its encoding
     */
    public EventRecord {
        check("event number", id, 0xff);
        check("SubstreamID", ssid, 0xfffff);
        check("STAG", stag, 0xffff);
        check("CLASS", faultClass, 3);
    }

    /** The event number of dw0 ({@code EVTQ_0_ID}). */
    public static int id(long dw0) {
        return (int) (dw0 & 0xff);
    }

    /** The StreamID of dw0 ({@code EVTQ_0_SID}). */
    public static int sid(long dw0) {
        return (int) (dw0 >>> 32);
    }

    /** The SubstreamID bits of dw0 ({@code EVTQ_0_SSID}), regardless of SSV. */
    public static int ssid(long dw0) {
        return (int) (dw0 >>> 12) & 0xfffff;
    }

    /** SSV of dw0. */
    public static boolean ssv(long dw0) {
        return (dw0 & EVTQ_0_SSV) != 0;
    }

    /** The STAG of dw1. */
    public static int stag(long dw1) {
        return (int) (dw1 & 0xffff);
    }

    /** CLASS of dw1. */
    public static int faultClass(long dw1) {
        return (int) (dw1 >>> EVTQ_1_CLASS_SHIFT) & 3;
    }

    /** Decodes a record. */
    public static EventRecord decode(long dw0, long dw1, long dw2, long dw3) {
        return new EventRecord(id(dw0), ssv(dw0), ssid(dw0), sid(dw0), stag(dw1), (dw1 & EVTQ_1_STALL) != 0,
                (dw1 & EVTQ_1_PNU) != 0, (dw1 & EVTQ_1_IND) != 0, (dw1 & EVTQ_1_RNW) != 0,
                (dw1 & EVTQ_1_S2) != 0, faultClass(dw1), (dw1 & EVTQ_1_TT_READ) != 0, dw2, dw3);
    }

    /**
     * Decodes a record from its dwords.
     *
     * @throws IllegalArgumentException unless exactly 4 dwords are given
     */
    public static EventRecord decode(long... dwords) {
        if (dwords.length != DWORDS) {
            throw new IllegalArgumentException("an SMMUv3 event record has 4 dwords, not " + dwords.length);
        }
        return decode(dwords[0], dwords[1], dwords[2], dwords[3]);
    }

    /** dw0. */
    public long dw0() {
        return (id & 0xffL) | (ssv ? EVTQ_0_SSV : 0) | ((long) ssid << 12) | ((sid & 0xffff_ffffL) << 32);
    }

    /** dw1. */
    public long dw1() {
        return stag | (stall ? EVTQ_1_STALL : 0) | (privileged ? EVTQ_1_PNU : 0) | (instruction ? EVTQ_1_IND : 0)
                | (read ? EVTQ_1_RNW : 0) | (s2 ? EVTQ_1_S2 : 0) | ((long) faultClass << EVTQ_1_CLASS_SHIFT)
                | (ttRead ? EVTQ_1_TT_READ : 0);
    }

    /** The four dwords. */
    public long[] encode() {
        return new long[] {dw0(), dw1(), inputAddress, dword3};
    }

    /** The event number with its names. */
    public EventId eventId() {
        return new EventId(id);
    }

    /** The event type. */
    public EventType type() {
        return EventType.of(id);
    }

    /** Linux's {@code ipa}: {@code dw3 & EVTQ_3_IPA}. */
    public long ipa() {
        return dword3 & EVTQ_3_IPA;
    }

    /** Linux's {@code fetch_addr}: {@code dw3 & EVTQ_3_FETCH_ADDR}. */
    public long fetchAddress() {
        return dword3 & EVTQ_3_FETCH_ADDR;
    }

    /** The PASID of the faulting transaction, or -1 when SSV = 0 (C_BAD_SUBSTREAMID always has one). */
    public int pasid() {
        return ssv || id == EventType.C_BAD_SUBSTREAMID.id() ? ssid : -1;
    }

    /** Linux's {@code class_tt}: F_PERMISSION with CLASS = TT. */
    public boolean classTt() {
        return id == EventType.F_PERMISSION.id() && faultClass == CLASS_TT;
    }

    /** Linux's {@code event_class_str[]} entry for CLASS. */
    public String className() {
        return CLASS_NAMES[faultClass];
    }

    /** The spec's short CLASS name: {@code CD}, {@code TT}, {@code IN} or {@code RES}. */
    public String classShortName() {
        return switch (faultClass) {
            case CLASS_CD -> "CD";
            case CLASS_TT -> "TT";
            case CLASS_IN -> "IN";
            default -> "RES";
        };
    }

    /** This record with another StreamID (what a vIOMMU does before forwarding to a guest). */
    public EventRecord withSid(int newSid) {
        return new EventRecord(id, ssv, ssid, newSid, stag, stall, privileged, instruction, read, s2, faultClass,
                ttRead, inputAddress, dword3);
    }

    /**
     * The lines Linux 6.14+ prints for this record with {@code arm_smmu_dump_event}, without the
     * {@code <driver> <device>: } prefix: the header, four raw dwords, and the decoded line(s).
     *
     * @param client the master's device name, or null for {@code (unassigned sid)}
     */
    public List<String> linuxLines(@Nullable String client) {
        List<String> lines = new ArrayList<>(8);
        lines.add(String.format("event 0x%02x received:", id));
        for (long dw : encode()) {
            lines.add(String.format("\t0x%016x", dw));
        }
        String who = client == null ? "(unassigned sid)" : client;
        int printedSsid = ssv ? ssid : 0; // Linux: ssid = ssv ? EVTQ_0_SSID : IOMMU_NO_PASID
        String head = String.format("event: %s client: %s sid: %#x ssid: %#x", type().linuxName(), who, sid,
                printedSsid);
        if (id >= EventType.F_TRANSLATION.id() && id <= EventType.F_PERMISSION.id()) {
            lines.add(head + String.format(" iova: %#x ipa: %#x", inputAddress, ipa()));
            lines.add(String.format("%s %s %s %s \"%s\"%s%s stag: %#x", privileged ? "priv" : "unpriv",
                    instruction ? "inst" : "data", read ? "read" : "write", s2 ? "s2" : "s1", className(),
                    classTt() ? (ttRead ? " ttd_read" : " ttd_write") : "", stall ? " stall" : "", stag));
        } else if (id == EventType.F_STE_FETCH.id() || id == EventType.F_CD_FETCH.id()
                || id == EventType.F_VMS_FETCH.id()) {
            lines.add(head + String.format(" fetch_addr: %#x", fetchAddress()));
        } else {
            lines.add(head);
        }
        return lines;
    }

    private static void check(String what, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(what + " 0x" + Integer.toHexString(value) + " exceeds 0x"
                    + Integer.toHexString(max));
        }
    }
}
