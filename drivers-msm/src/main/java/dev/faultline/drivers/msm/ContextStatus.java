package dev.faultline.drivers.msm;

import java.util.List;

/**
 * One GPU context (a process's submit queue and address space).
 *
 * @param id the context id (also its ASID)
 * @param domain the name of its IOMMU domain
 * @param pasid its PASID when contexts are PASID-bound, else {@link dev.faultline.api.fault.Pasid#NONE}
 * @param ttbr0 its TTBR0 (ASID in bits [63:48], table base below)
 * @param faults faults hang recovery charged to it ({@code MSM_PARAM_FAULTS})
 * @param completedJobs jobs that completed
 * @param queuedJobs jobs waiting in the ring
 * @param mappings its address space
 */
public record ContextStatus(int id, String domain, int pasid, long ttbr0, int faults, long completedJobs,
        int queuedJobs, List<GpuMapping> mappings) {

    /** Copies the mappings. */
    public ContextStatus {
        mappings = List.copyOf(mappings);
    }
}
