package dev.faultline.platform.vtd;

/**
 * The ECAP register (VT-d CAP/ECAP; Linux {@code ecap_*} macros), read in place.
 *
 * @param value the 64-bit register
 */
public record ExtendedCapability(long value) {
    /** ECAP bit 0, C: coherent page walks. */
    public static final long COHERENT = 1L << 0;
    /** ECAP bit 1, QI: queued invalidation. */
    public static final long QUEUED_INVALIDATION = 1L << 1;
    /** ECAP bit 2, DT: device-TLB (ATS). */
    public static final long DEVICE_TLB = 1L << 2;
    /** ECAP bit 6, PT: pass-through. */
    public static final long PASS_THROUGH = 1L << 6;
    /** ECAP bit 26, NEST: nested translation. */
    public static final long NESTED = 1L << 26;
    /** ECAP bit 29, PRS: page requests. */
    public static final long PAGE_REQUESTS = 1L << 29;
    /** ECAP bit 30, ERS: execute requests. */
    public static final long EXECUTE_REQUESTS = 1L << 30;
    /** ECAP bit 31, SRS: supervisor requests. */
    public static final long SUPERVISOR_REQUESTS = 1L << 31;
    /** ECAP bit 40, PASID. */
    public static final long PASID = 1L << 40;
    /** ECAP bit 42, PDS: page-request drain. */
    public static final long PAGE_REQUEST_DRAIN = 1L << 42;
    /** ECAP bit 43, SMTS: scalable mode. */
    public static final long SCALABLE_MODE = 1L << 43;
    /** ECAP bit 47, FLTS: first-level translation. */
    public static final long FIRST_LEVEL = 1L << 47;
    private static final int PSS_SHIFT = 35;

    /**
     * An ECAP value.
     *
     * @param flags the bits above ORed together
     * @param pasidBits the supported PASID width, 1 to 20 (stored as PSS = width - 1)
     * @throws IllegalArgumentException for a PASID width outside [1, 20]
     */
    public static ExtendedCapability of(long flags, int pasidBits) {
        if (pasidBits < 1 || pasidBits > 20) {
            throw new IllegalArgumentException("PASID width " + pasidBits + " is outside [1, 20]");
        }
        return new ExtendedCapability((flags & ~(0x1fL << PSS_SHIFT)) | (long) (pasidBits - 1) << PSS_SHIFT);
    }

    /** Whether every bit of {@code flag} is set. */
    public boolean has(long flag) {
        return (value & flag) == flag;
    }

    /** {@code ecap_pss} + 1: the supported PASID width in bits. */
    public int pasidBits() {
        return (int) ((value >>> PSS_SHIFT) & 0x1f) + 1;
    }

    /** {@code ecap_iotlb_offset}: the byte offset of the IOTLB registers. */
    public int iotlbOffset() {
        return (int) ((value >>> 8) & 0x3ff) * 16;
    }

    @Override
    public String toString() {
        return String.format("ExtendedCapability[0x%016x]", value);
    }
}
