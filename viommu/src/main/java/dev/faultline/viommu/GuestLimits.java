package dev.faultline.viommu;

/**
 * The bounds one guest's virtual IOMMU works within.
 *
 * @param eventQueueDepth events (page request groups and unrecoverable faults) the queue holds unread; at least
 *     1. {@link LostEvents} markers do not count: there is at most one after each event, so the queue never
 *     holds more than {@code 2 * depth + 1} entries.
 * @param maxPendingGroups page request groups delivered or queued but not yet answered by the guest; at least 1
 * @param eventsPerSecond token-bucket refill rate for all faults of the guest; 0 disables rate limiting
 * @param burst token-bucket capacity: faults accepted back to back; at least 1
 * @param responseTimeoutMs how long the core lets a group wait for the guest's answer before answering it
 *     itself ({@code faultline.timeout.ms}); 0 for the core's default
 */
public record GuestLimits(int eventQueueDepth, int maxPendingGroups, long eventsPerSecond, int burst,
        long responseTimeoutMs) {

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

    /** These limits with another queue depth. */
    public GuestLimits withEventQueueDepth(int depth) {
        return new GuestLimits(depth, maxPendingGroups, eventsPerSecond, burst, responseTimeoutMs);
    }

    /** These limits with another bound on unanswered groups. */
    public GuestLimits withMaxPendingGroups(int max) {
        return new GuestLimits(eventQueueDepth, max, eventsPerSecond, burst, responseTimeoutMs);
    }

    /** These limits with another rate limit (0 events per second: none). */
    public GuestLimits withRate(long perSecond, int burstSize) {
        return new GuestLimits(eventQueueDepth, maxPendingGroups, perSecond, burstSize, responseTimeoutMs);
    }

    /** These limits with another response timeout. */
    public GuestLimits withResponseTimeoutMs(long timeoutMs) {
        return new GuestLimits(eventQueueDepth, maxPendingGroups, eventsPerSecond, burst, timeoutMs);
    }

    private static void check(String what, long value, long min) {
        if (value < min) {
            throw new IllegalArgumentException(what + " " + value + " must be at least " + min);
        }
    }
}
