package dev.faultline.api.backend;

/** What the core did with one reported fault. Every outcome is also counted. */
public enum ReportOutcome {
    /** A last-page request completed its group, which went to a handler. */
    DISPATCHED,
    /** A partial (not last) request was parked until its group's last request arrives. */
    PARKED,
    /** A partial request was dropped because a bound on parked requests was hit (counted); the group is still answered. */
    DROPPED_PARTIAL,
    /** An unrecoverable fault was delivered to a handler. */
    DELIVERED,
    /** No handler serves the fault: a group was answered INVALID; an unrecoverable fault was logged (rate-limited) unless guest-owned. */
    NO_HANDLER,
    /** The fault was malformed or its device is gone; counted, and a last-page request answered INVALID. */
    REJECTED
}
