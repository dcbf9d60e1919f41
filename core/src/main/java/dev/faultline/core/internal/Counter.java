package dev.faultline.core.internal;

/** The counters kept per device and per handler; each is one field of {@link dev.faultline.api.stats.FaultCounts}. */
enum Counter {
    REPORTED, PARKED, DROPPED_PARTIAL, DISCARDED_PARTIAL, DISPATCHED, DELIVERED, NO_HANDLER, REJECTED, GROUPS,
    ANSWERED_SUCCESS, ANSWERED_INVALID, ANSWERED_FAILURE, TIMED_OUT, ABANDONED, HANDLER_ERRORS, SLOW_CALLS, DUPLICATES,
    QUEUE_FULL, LOST_RESPONSES;

    private static final Counter[] VALUES = values();

    /** All counters, without allocating. */
    static Counter[] all() {
        return VALUES;
    }
}
