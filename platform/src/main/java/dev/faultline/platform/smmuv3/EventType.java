package dev.faultline.platform.smmuv3;

/**
 * SMMUv3 event numbers (IHI 0070 §7.3.2-7.3.21) with the spec name and the name Linux prints
 * ({@code event_str[]} in arm-smmu-v3.c, 6.14+; {@code UNKNOWN} for numbers it does not name).
 *
 * <p>A raw number that is none of these is {@link #UNKNOWN}; keep the raw value with {@link EventId}.
 */
public enum EventType {
    /** 0x01: unsupported upstream transaction. */
    F_UUT(0x01, false, false),
    /** 0x02: StreamID out of range ({@code EVT_ID_BAD_STREAMID_CONFIG}). */
    C_BAD_STREAMID(0x02, true, false),
    /** 0x03: abort fetching the STE ({@code EVT_ID_STE_FETCH_FAULT}). */
    F_STE_FETCH(0x03, true, false),
    /** 0x04: STE invalid or illegal ({@code EVT_ID_BAD_STE_CONFIG}). */
    C_BAD_STE(0x04, true, false),
    /** 0x05: ATS translation request not allowed. */
    F_BAD_ATS_TREQ(0x05, false, false),
    /** 0x06: non-substream traffic disabled by S1DSS ({@code EVT_ID_STREAM_DISABLED_FAULT}). */
    F_STREAM_DISABLED(0x06, true, false),
    /** 0x07: ATS-translated transaction not allowed. */
    F_TRANSL_FORBIDDEN(0x07, false, false),
    /** 0x08: SubstreamID out of range or substreams disabled ({@code EVT_ID_BAD_SUBSTREAMID_CONFIG}). */
    C_BAD_SUBSTREAMID(0x08, true, false),
    /** 0x09: abort fetching the CD ({@code EVT_ID_CD_FETCH_FAULT}). */
    F_CD_FETCH(0x09, true, false),
    /** 0x0A: CD invalid or illegal ({@code EVT_ID_BAD_CD_CONFIG}). */
    C_BAD_CD(0x0A, true, false),
    /** 0x0B: external abort fetching or updating a table descriptor (Linux prints UNKNOWN). */
    F_WALK_EABT(0x0B, false, false),
    /** 0x10: translation fault ({@code EVT_ID_TRANSLATION_FAULT}); stall-capable. */
    F_TRANSLATION(0x10, true, true),
    /** 0x11: address-size fault ({@code EVT_ID_ADDR_SIZE_FAULT}); stall-capable. */
    F_ADDR_SIZE(0x11, true, true),
    /** 0x12: access-flag fault ({@code EVT_ID_ACCESS_FAULT}); stall-capable. */
    F_ACCESS(0x12, true, true),
    /** 0x13: permission fault ({@code EVT_ID_PERMISSION_FAULT}); stall-capable. */
    F_PERMISSION(0x13, true, true),
    /** 0x20: TLB multi-hit. */
    F_TLB_CONFLICT(0x20, false, false),
    /** 0x21: configuration-cache multi-hit. */
    F_CFG_CONFLICT(0x21, false, false),
    /** 0x24: speculative page-request hint. */
    E_PAGE_REQUEST(0x24, false, false),
    /** 0x25: abort fetching the VMS ({@code EVT_ID_VMS_FETCH_FAULT}). */
    F_VMS_FETCH(0x25, true, false),
    /** 0xE0-0xEF: {@code IMPDEF_EVENTn}, implementation defined. */
    IMPDEF_EVENT(0xE0, false, false),
    /** Any reserved number (IHI §7.3.21). */
    UNKNOWN(-1, false, false);

    /** What Linux prints for a number it has no name for. */
    public static final String LINUX_UNKNOWN = "UNKNOWN";

    private static final EventType[] BY_ID = new EventType[256];

    static {
        for (EventType t : values()) {
            if (t.id >= 0 && t != IMPDEF_EVENT) {
                BY_ID[t.id] = t;
            }
        }
        for (int id = 0xE0; id <= 0xEF; id++) {
            BY_ID[id] = IMPDEF_EVENT;
        }
    }

    private final int id;
    private final boolean namedByLinux;
    private final boolean stallCapable;

    EventType(int id, boolean namedByLinux, boolean stallCapable) {
        this.id = id;
        this.namedByLinux = namedByLinux;
        this.stallCapable = stallCapable;
    }

    /**
     * The type of an event number (the record's bits [7:0]); {@link #UNKNOWN} for reserved numbers and for
     * anything outside 0..255.
     */
    public static EventType of(int id) {
        if (id < 0 || id > 0xff) {
            return UNKNOWN;
        }
        EventType t = BY_ID[id];
        return t == null ? UNKNOWN : t;
    }

    /** The event number ({@code 0xE0} for the IMPDEF range, -1 for {@link #UNKNOWN}). */
    public int id() {
        return id;
    }

    /** The spec name, e.g. {@code F_TRANSLATION} ({@code IMPDEF_EVENTn} and {@code UNKNOWN} for the others). */
    public String specName() {
        return this == IMPDEF_EVENT ? "IMPDEF_EVENTn" : name();
    }

    /** What Linux prints after {@code event:}: the spec name for the twelve it knows, else {@code UNKNOWN}. */
    public String linuxName() {
        return namedByLinux ? name() : LINUX_UNKNOWN;
    }

    /** Whether the event can carry Stall/STAG (only the four translation-related events, IHI 0070 §7.3.2-7.3.21). */
    public boolean stallCapable() {
        return stallCapable;
    }

    /**
     * Whether {@code arm_smmu_handle_event} considers it at all (Linux arm-smmu-v3.c: C_BAD_STE, F_STREAM_DISABLED,
     * C_BAD_SUBSTREAMID, C_BAD_CD and the four translation faults); Linux prints all others unconditionally.
     */
    public boolean handledByLinux() {
        return switch (this) {
            case C_BAD_STE, F_STREAM_DISABLED, C_BAD_SUBSTREAMID, C_BAD_CD, F_TRANSLATION, F_ADDR_SIZE, F_ACCESS,
                    F_PERMISSION -> true;
            default -> false;
        };
    }
}
