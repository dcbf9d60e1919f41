package dev.faultline.viommu;

/**
 * The bounds one guest's virtual IOMMU works within, and how its unrecoverable faults are recorded.
 *
 * @param eventQueueDepth events (page request groups and unrecoverable faults) the queue holds unread; at least
 *     1. {@link LostEvents} markers do not count: there is at most one after each event, so the queue never
 *     holds more than {@code 2 * depth + 1} entries.
 * @param maxPendingGroups page request groups delivered or queued but not yet answered by the guest; at least 1
 * @param eventsPerSecond token-bucket refill rate for all faults of the guest; 0 disables rate limiting
 * @param burst token-bucket capacity: faults accepted back to back; at least 1
 * @param responseTimeoutMs how long the core lets a group wait for the guest's answer before answering it
 *     itself ({@code faultline.timeout.ms}); 0 for the core's default
 * @param rawRecords false (the default): the guest's virtual hardware record is built only from the access
 *     permissions, address and PASID and the vIOMMU's own walk of the guest's tables (permissions-only
 *     forwarding); true: the host's record is passed on with only the device id made the guest's (the raw mode
 *     of Linux's vEVENTQ), for a guest that wants the hardware's own words
 */
public record GuestLimits(int eventQueueDepth, int maxPendingGroups, long eventsPerSecond, int burst,
        long responseTimeoutMs, boolean rawRecords) {

    /** The defaults of the {@code dev.faultline.viommu} configuration. */
    public static final GuestLimits DEFAULT = new GuestLimits(256, 1024, 10_000, 256, 0);

    /**
     * Validates the limits.
     *
     * @throws IllegalArgumentException naming the first limit out of range
     */
    public GuestLimits {
        check("event queue depth", eventQueueDepth, 1);
        check("pending groups", maxPendingGroups, 1);
        check("events per second", eventsPerSecond, 0);
        check("burst", burst, 1);
        check("response timeout", responseTimeoutMs, 0);
    }

    /** Limits with permissions-only forwarding (no raw records). */
    public GuestLimits(int eventQueueDepth, int maxPendingGroups, long eventsPerSecond, int burst,
            long responseTimeoutMs) {
        this(eventQueueDepth, maxPendingGroups, eventsPerSecond, burst, responseTimeoutMs, false);
    }

    /** These limits with another queue depth. */
    public GuestLimits withEventQueueDepth(int depth) {
        return new GuestLimits(depth, maxPendingGroups, eventsPerSecond, burst, responseTimeoutMs, rawRecords);
    }

    /** These limits with another bound on unanswered groups. */
    public GuestLimits withMaxPendingGroups(int max) {
        return new GuestLimits(eventQueueDepth, max, eventsPerSecond, burst, responseTimeoutMs, rawRecords);
    }

    /** These limits with another rate limit (0 events per second: none). */
    public GuestLimits withRate(long perSecond, int burstSize) {
        return new GuestLimits(eventQueueDepth, maxPendingGroups, perSecond, burstSize, responseTimeoutMs, rawRecords);
    }

    /** These limits with another response timeout. */
    public GuestLimits withResponseTimeoutMs(long timeoutMs) {
        return new GuestLimits(eventQueueDepth, maxPendingGroups, eventsPerSecond, burst, timeoutMs, rawRecords);
    }

    /** These limits with the host's raw records passed on (true) or permissions-only forwarding (false). */
    public GuestLimits withRawRecords(boolean raw) {
        return new GuestLimits(eventQueueDepth, maxPendingGroups, eventsPerSecond, burst, responseTimeoutMs, raw);
    }

    private static void check(String what, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " " + value + " must be at least " + min);
        }
    }
}
