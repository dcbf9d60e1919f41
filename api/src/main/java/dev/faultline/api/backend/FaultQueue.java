package dev.faultline.api.backend;

/**
 * A hardware queue through which an IOMMU delivers faults to its driver; when it overflows, the hardware drops
 * the faults it could not write, and the driver reports the overflow with {@link IommuPort#reportOverflow}.
 *
 * @since 1.2
 */
public enum FaultQueue {
    /**
     * The queue of unrecoverable faults and stall events: the SMMUv3 event queue ({@code EVTQ}, overflow flagged by
     * {@code SMMU_EVENTQ_PROD.OVFLG}), the VT-d primary fault recording registers (overflow flagged by
     * {@code FSTS.PFO}).
     */
    FAULT_RECORDS,
    /**
     * The queue of PCIe page requests: the SMMUv3 PRI queue ({@code PRIQ}, {@code SMMU_PRIQ_PROD.OVFLG}), the VT-d
     * page request queue ({@code PRS.PRO}).
     */
    PAGE_REQUESTS
}
