package dev.faultline.drivers.msm;

/** Where a submitted GPU job is. */
public enum JobState {
    /** In its ring, not started. */
    QUEUED,
    /** The GPU is executing it. */
    RUNNING,
    /** Done; its fence signalled without error. */
    COMPLETED,
    /** One of its accesses faulted; hang recovery reset its context and signalled its fence with an error. */
    FAULTED,
    /** Hang recovery dropped it, unstarted, with its faulting context. */
    CANCELLED
}
