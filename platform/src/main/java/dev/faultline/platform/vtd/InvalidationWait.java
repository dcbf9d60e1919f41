package dev.faultline.platform.vtd;

/**
 * An invalidation wait descriptor (type 0x5; VT-d invalidation descriptors; Linux {@code QI_IWD_*}).
 *
 * <p>qw0: type [3:0] = 5, IF bit 4, SW bit 5, FN bit 6, PD bit 7, status data [63:32]. qw1: status address
 * [63:2].
 *
 * @param interruptFlag IF: set ICS.IWC when the descriptor completes
 * @param statusWrite SW: write the status data to the status address
 * @param fence FN: later descriptors wait for this one
 * @param pageRequestDrain PD: complete only after earlier page requests are in the page request queue
 * @param statusData the 32-bit value written ({@code QI_DONE} = 2 in Linux)
 * @param statusAddress where it is written, 4-byte aligned
 */
public record InvalidationWait(boolean interruptFlag, boolean statusWrite, boolean fence, boolean pageRequestDrain,
        int statusData, long statusAddress) {

    /** Linux's {@code QI_DONE} status value. */
    public static final int QI_DONE = 2;

    /**
     * Validates the fields.
     *
     * @throws IllegalArgumentException for a status address that is not 4-byte aligned
     */
    public InvalidationWait {
        if ((statusAddress & 3) != 0) {
            throw new IllegalArgumentException(String.format("status address 0x%x is not 4-byte aligned",
                    statusAddress));
        }
    }

    /** Linux's {@code qi_submit_sync} wait: SW with {@link #QI_DONE}, optionally with PD. */
    public static InvalidationWait statusWrite(long statusAddress, boolean drain) {
        return new InvalidationWait(false, true, false, drain, QI_DONE, statusAddress);
    }

    /** Reads the first two qwords (the type is not checked). */
    public static InvalidationWait decode(long qw0, long qw1) {
        return new InvalidationWait((qw0 >>> 4 & 1) != 0, (qw0 >>> 5 & 1) != 0, (qw0 >>> 6 & 1) != 0,
                (qw0 >>> 7 & 1) != 0, (int) (qw0 >>> 32), qw1 & ~3L);
    }

    /** qw0. */
    public long qw0() {
        return InvalidationType.WAIT.code() | Capability.bit(interruptFlag, 4) | Capability.bit(statusWrite, 5)
                | Capability.bit(fence, 6) | Capability.bit(pageRequestDrain, 7) | (statusData & 0xffff_ffffL) << 32;
    }

    /** qw1. */
    public long qw1() {
        return statusAddress;
    }
}
