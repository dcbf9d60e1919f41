package dev.faultline.viommu;

/**
 * What became of a guest's answer to a page request group ({@link VirtualIommu#respond(int, int)}). Every outcome
 * but {@link #GUEST_CLOSED} is counted in {@link GuestStatistics}.
 */
public enum AnswerOutcome {
    /** The answer was the group's and was sent to the device. */
    ACCEPTED,
    /**
     * The code is neither SUCCESS (0) nor INVALID (1), the only ones a guest may send (as iommufd); the group
     * stays pending.
     */
    INVALID_CODE,
    /** The cookie names no group this guest received: never issued to it, or issued but not yet read by it. */
    FORGED,
    /** The guest already answered this group (or the answer came after the group left the guest's table). */
    REPLAYED,
    /** The host answered the group first (the core's deadline, the device's detach); the answer is dropped. */
    LATE,
    /** The guest's virtual IOMMU is closed; every group it held was answered INVALID. */
    GUEST_CLOSED
}
