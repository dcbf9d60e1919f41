package dev.faultline.smmuv3.internal;

/** How a stream's translation faults reach software (Linux {@code master->stall_enabled}, PRI). */
enum FaultMode {
    /** Faults terminate the transaction and are recorded. */
    TERMINATE,
    /** Stage-1 (CD.S) and stage-2 (STE.S2S) faults stall until CMD_RESUME. */
    STALL,
    /** ATS translation requests fail without a record and the device sends PCIe page requests. */
    PRI
}
