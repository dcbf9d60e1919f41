package dev.faultline.platform.vtd;

import org.jspecify.annotations.Nullable;

/**
 * Invalidation queue descriptor types (VT-d invalidation descriptors; Linux {@code QI_*_TYPE}): qw0 [3:0] with, for
 * 256-bit descriptors, [11:9] as the high type bits.
 */
public enum InvalidationType {
    /** 0x1 {@code QI_CC_TYPE}: context-cache invalidate. */
    CONTEXT_CACHE(0x1),
    /** 0x2 {@code QI_IOTLB_TYPE}: IOTLB invalidate. */
    IOTLB(0x2),
    /** 0x3 {@code QI_DIOTLB_TYPE}: device-TLB invalidate. */
    DEVICE_TLB(0x3),
    /** 0x4 {@code QI_IEC_TYPE}: interrupt entry cache invalidate. */
    INTERRUPT_ENTRY_CACHE(0x4),
    /** 0x5 {@code QI_IWD_TYPE}: invalidation wait. */
    WAIT(0x5),
    /** 0x6 {@code QI_EIOTLB_TYPE}: PASID-based IOTLB invalidate. */
    PASID_IOTLB(0x6),
    /** 0x7 {@code QI_PC_TYPE}: PASID-cache invalidate. */
    PASID_CACHE(0x7),
    /** 0x8 {@code QI_DEIOTLB_TYPE}: PASID-based device-TLB invalidate. */
    PASID_DEVICE_TLB(0x8),
    /** 0x9 {@code QI_PGRP_RESP_TYPE}: page group response. */
    PAGE_GROUP_RESPONSE(0x9),
    /** 0xA {@code QI_PSTRM_RESP_TYPE}: page stream response (legacy). */
    PAGE_STREAM_RESPONSE(0xa);

    private static final InvalidationType[] TYPES = values();

    private final int code;

    InvalidationType(int code) {
        this.code = code;
    }

    /** The 7-bit type code. */
    public int code() {
        return code;
    }

    /** The type code of a descriptor: {@code qw0 [3:0] | qw0 [11:9] << 4}. */
    public static int codeOf(long qw0) {
        return (int) (qw0 & 0xf) | (int) (qw0 >>> 9 & 0x7) << 4;
    }

    /** The type of a descriptor, or {@code null} for a code the model does not know. */
    public static @Nullable InvalidationType of(long qw0) {
        int code = codeOf(qw0);
        for (InvalidationType type : TYPES) {
            if (type.code == code) {
                return type;
            }
        }
        return null;
    }
}
