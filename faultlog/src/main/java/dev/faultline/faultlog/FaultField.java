package dev.faultline.faultlog;

/**
 * The keys a {@link DecodedFault} may carry, with their JSON names and value kinds, in output order
 * (the conventions of the real-log test data).
 *
 * <p>A key is present only when the log determines it; a present key may hold {@code null}, which asserts
 * "none" (for example {@link #PASID} {@code null}: the request carried no PASID).
 */
public enum FaultField {
    /** The device as printed: SMMU/IOMMU instance, AMD faulting device, remoteproc device, or VT-d unit. */
    DEVICE("device", Kind.TEXT),
    /** VT-d source id {@code bb:dd.f}, lower-case hex. */
    REQUESTER("requester", Kind.TEXT),
    /** StreamID (SMMUv3 dw0[63:32]; SMMU v1/v2 {@code cbfrsynra & 0xffff}). */
    SID("sid", Kind.INTEGER),
    /** SMMUv3 SubstreamID; {@code null} when SSV = 0. */
    SSID("ssid", Kind.INTEGER),
    /** PASID; {@code null} when the log says there was none. */
    PASID("pasid", Kind.INTEGER),
    /** SMMUv3 event number, dw0[7:0]. */
    EVENT_ID("event_id", Kind.INTEGER),
    /** SMMUv3 event name ({@code UNKNOWN} for numbers the specification reserves). */
    EVENT("event", Kind.TEXT),
    /** The faulting input address. */
    ADDRESS("address", Kind.HEX),
    /** SMMUv3 IPA ({@code dw3 & GENMASK(51,12)}) for events 0x10-0x13. */
    IPA("ipa", Kind.HEX),
    /** SMMUv3 fetch address ({@code dw3 & GENMASK(51,3)}) for fetch aborts. */
    FETCH_ADDR("fetch_addr", Kind.HEX),
    /** The access was a read. */
    READ("read", Kind.BOOLEAN),
    /** The access was a write. */
    WRITE("write", Kind.BOOLEAN),
    /** The access was an instruction fetch. */
    EXEC("exec", Kind.BOOLEAN),
    /** The access was privileged. */
    PRIV("priv", Kind.BOOLEAN),
    /** The transaction is stalled (SMMUv3 Stall, context fault FSR.SS). */
    STALL("stall", Kind.BOOLEAN),
    /** SMMUv3 stall tag, dw1[15:0]. */
    STAG("stag", Kind.INTEGER),
    /** {@code s1} or {@code s2}. */
    STAGE("stage", Kind.TEXT),
    /** SMMUv3 CLASS: {@code CD}, {@code TT}, {@code IN} ({@code RESERVED} for 3). */
    CLASS("class", Kind.TEXT),
    /** VT-d fault reason number. */
    REASON_CODE("reason_code", Kind.INTEGER),
    /** The VT-d reason string from the kernel's table, or the kernel's PRQ reason line. */
    REASON("reason", Kind.TEXT),
    /** {@code DMA_REMAP}, {@code INTR_REMAP} or {@code UNKNOWN}. */
    FAULT_TYPE("fault_type", Kind.TEXT),
    /** VT-d access type as printed ({@code DMA Read}, {@code DMA Write}, {@code INTR-REMAP}); msm {@code type=}. */
    TYPE("type", Kind.TEXT),
    /** Interrupt-remapping table index. */
    INDEX("index", Kind.HEX),
    /** Context-fault FSR. */
    FSR("fsr", Kind.HEX),
    /** Names of the FSR bits that are set, in bit order. */
    FSR_FLAGS("fsr_flags", Kind.NAMES),
    /** Context-fault FSYNR0. */
    FSYNR("fsynr", Kind.HEX),
    /** Context-fault CBFRSYNRA. */
    CBFRSYNRA("cbfrsynra", Kind.HEX),
    /** Context bank. */
    CB("cb", Kind.INTEGER),
    /** AMD {@code domain=}: the domain id, or PASID[15:0] when GN = 1. */
    DOMAIN("domain", Kind.HEX),
    /** AMD event flags; remoteproc IOMMU fault flags. */
    FLAGS("flags", Kind.HEX),
    /** Names of the AMD flag bits that are set, in bit order. */
    FLAG_NAMES("flag_names", Kind.NAMES),
    /** msm {@code ttbr0=}. */
    TTBR0("ttbr0", Kind.HEX),
    /** msm {@code source=} as printed. */
    SOURCE("source", Kind.TEXT),
    /** remoteproc name after {@code crash detected in}. */
    RPROC("rproc", Kind.TEXT),
    /** remoteproc crash type as printed ({@code watchdog}, {@code fatal error}, {@code mmufault}). */
    CRASH_TYPE("crash_type", Kind.TEXT),
    /** remoteproc device address of an IOMMU fault. */
    DA("da", Kind.HEX);

    /** How a field's value is typed in Java and written in JSON. */
    public enum Kind {
        /** {@link String}; a JSON string. */
        TEXT,
        /** {@link Long}; a JSON integer. */
        INTEGER,
        /** {@link Long} read as unsigned; a JSON string {@code 0x...}, lower case, no leading zeros. */
        HEX,
        /** {@link Boolean}; a JSON boolean. */
        BOOLEAN,
        /** {@link java.util.List} of {@link String}; a JSON array of strings. */
        NAMES
    }

    private final String key;
    private final Kind kind;

    FaultField(String key, Kind kind) {
        this.key = key;
        this.kind = kind;
    }

    /** The JSON key. */
    public String key() {
        return key;
    }

    /** The value kind. */
    public Kind kind() {
        return kind;
    }

    /**
     * The field of a JSON key.
     *
     * @throws IllegalArgumentException for any other key
     */
    public static FaultField ofKey(String key) {
        for (FaultField f : values()) {
            if (f.key.equals(key)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no fault field '" + key + "'");
    }

    /** Whether {@code value} is a valid non-null value of this field's kind. */
    boolean accepts(Object value) {
        return switch (kind) {
            case TEXT -> value instanceof String;
            case INTEGER, HEX -> value instanceof Long;
            case BOOLEAN -> value instanceof Boolean;
            case NAMES -> value instanceof java.util.List<?> list && list.stream().allMatch(String.class::isInstance);
        };
    }
}
