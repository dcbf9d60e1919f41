package dev.faultline.platform.vtd;

/**
 * A page group response descriptor (invalidation queue type 0x9; Linux {@code QI_PGRP_*}).
 *
 * <p>qw0: type [3:0] = 9, PASID present bit 4, response code [15:12], requester id [31:16], PASID [51:32].
 * qw1: LPIG bit 2, PRGI [11:3]. qw2, qw3: the private data of the request being answered (256-bit
 * descriptors).
 *
 * @param requesterId the requester id of the device (Linux names it {@code QI_PGRP_DID} but it carries the RID)
 * @param pasidPresent whether the response carries the PASID
 * @param pasid the PASID, 20 bits
 * @param responseCode the 4-bit PCIe PRG response code ({@link #SUCCESS}, {@link #INVALID}, {@link #FAILURE})
 * @param lastInGroup LPIG
 * @param groupIndex PRGI, 9 bits
 * @param privateData0 qw2
 * @param privateData1 qw3
 */
public record PageGroupResponse(int requesterId, boolean pasidPresent, int pasid, int responseCode,
        boolean lastInGroup, int groupIndex, long privateData0, long privateData1) {

    /** {@code QI_RESP_SUCCESS}: PCIe Success. */
    public static final int SUCCESS = 0x0;
    /** {@code QI_RESP_INVALID}: PCIe Invalid Request. */
    public static final int INVALID = 0x1;
    /** {@code QI_RESP_FAILURE}: PCIe Response Failure. */
    public static final int FAILURE = 0xf;
    /** Bits of qw0 that must be zero (QEMU's mask for this descriptor). */
    public static final long QW0_RESERVED = 0xfff0_0000_0000_01e0L;
    /** Bits of qw1 that must be zero (QEMU's mask for this descriptor). */
    public static final long QW1_RESERVED = 0xffff_ffff_ffff_f003L;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException for a field wider than its bits
     */
    public PageGroupResponse {
        Capability.check("requester id", requesterId, 0xffff);
        Capability.check("PASID", pasid, 0xfffff);
        Capability.check("response code", responseCode, 0xf);
        Capability.check("PRGI", groupIndex, 0x1ff);
    }

    /** Reads the four qwords (the type is not checked). */
    public static PageGroupResponse decode(long qw0, long qw1, long qw2, long qw3) {
        return new PageGroupResponse(requesterId(qw0), pasidPresent(qw0), (int) (qw0 >>> 32) & 0xfffff,
                responseCode(qw0), (qw1 >>> 2 & 1) != 0, groupIndex(qw1), qw2, qw3);
    }

    /** The requester id of a descriptor's qw0, without decoding it. */
    static int requesterId(long qw0) {
        return (int) (qw0 >>> 16) & 0xffff;
    }

    /** Whether a descriptor's qw0 sets PASID present. */
    static boolean pasidPresent(long qw0) {
        return (qw0 >>> 4 & 1) != 0;
    }

    /** The PASID of a descriptor's qw0 when present, else {@link dev.faultline.api.fault.Pasid#NONE}. */
    static int pasidOrNone(long qw0) {
        return pasidPresent(qw0) ? (int) (qw0 >>> 32) & 0xfffff : dev.faultline.api.fault.Pasid.NONE;
    }

    /** The response code of a descriptor's qw0. */
    static int responseCode(long qw0) {
        return (int) (qw0 >>> 12) & 0xf;
    }

    /** The PRGI of a descriptor's qw1. */
    static int groupIndex(long qw1) {
        return (int) (qw1 >>> 3) & 0x1ff;
    }

    /** Whether a descriptor sets bits the format reserves. */
    public static boolean reservedBitsSet(long qw0, long qw1) {
        return (qw0 & QW0_RESERVED) != 0 || (qw1 & QW1_RESERVED) != 0;
    }

    /** qw0. */
    public long qw0() {
        return InvalidationType.PAGE_GROUP_RESPONSE.code() | Capability.bit(pasidPresent, 4)
                | (long) responseCode << 12 | (long) requesterId << 16 | (long) pasid << 32;
    }

    /** qw1. */
    public long qw1() {
        return Capability.bit(lastInGroup, 2) | (long) groupIndex << 3;
    }
}
