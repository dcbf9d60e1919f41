package dev.faultline.core.internal.count;

/**
 * The counters kept per device and per handler; each is one field of {@link dev.faultline.api.stats.FaultCounts}.
 * The ones every answered fault counts come first, so that they share the first cache line of {@link Counters}.
 */
public enum Counter {
    REPORTED, GROUPS, DISPATCHED, ANSWERED_SUCCESS, ANSWERED_INVALID, DELIVERED, ANSWERED_FAILURE, NO_HANDLER,
    PARKED, DROPPED_PARTIAL, DISCARDED_PARTIAL, REJECTED, TIMED_OUT, ABANDONED, HANDLER_ERRORS, SLOW_CALLS, DUPLICATES,
    QUEUE_FULL, LOST_RESPONSES, ANSWERED_AT_DETACH, STALE_ANSWERS, ANSWERED_AT_REMOVAL, ANSWERED_AT_DEPARTURE,
    MIXED_PASID;

    private static final Counter[] VALUES = values();

    /** All counters, without allocating. */
    static Counter[] all() {
        return VALUES;
    }
}
