package dev.faultline.platform.dma;

/** How a device's DMA access ended, after any stall or page request. */
public enum DmaStatus {
    /** The access translated and went to memory. */
    COMPLETED,
    /** The IOMMU terminated it read-as-zero / write-ignored. */
    RAZ_WI,
    /** The IOMMU aborted it (an unrecoverable fault or a terminated stall). */
    ABORTED,
    /** A page request was answered Invalid Request: the device fails the access and does not re-request. */
    PAGE_REQUEST_INVALID,
    /** A page request was answered Response Failure (or a reserved code): PRI is now stopped on the device. */
    PAGE_REQUEST_FAILED,
    /** The translation request granted nothing and the device may not page-request (PRI disabled, stopped or out of credits). */
    PRI_UNAVAILABLE,
    /** Page requests were answered Success but the retried access still did not translate, too many times. */
    RETRIES_EXHAUSTED,
    /** Nothing completed the access (stall or page request unanswered) before the device's deadline. */
    TIMED_OUT
}
