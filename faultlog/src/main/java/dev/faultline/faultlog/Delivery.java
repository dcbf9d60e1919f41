package dev.faultline.faultlog;

/** What became of one logged report delivered to a device of the simulated machine ({@link DriverReplayer}). */
public enum Delivery {
    /** The device's access faulted in its IOMMU: the IOMMU recorded it and its backend reports it to the core. */
    FAULTED,
    /**
     * The device's access translated: on the simulated machine that address is mapped for it with that access, so
     * the IOMMU took no fault (the log's machine had other mappings).
     */
    TRANSLATED,
    /** The access was still stalled when the replay stopped waiting (nobody answered the stall in time). */
    STALLED,
    /** A remote processor crash line started a crash episode of the device's remote processor. */
    CRASH_REPORTED,
    /** A remote processor crash line came while that processor was already crashed or recovering: counted only. */
    CRASH_COALESCED
}
