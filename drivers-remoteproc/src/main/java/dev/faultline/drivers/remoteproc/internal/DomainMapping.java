package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.Permissions;

/**
 * The remote processor's IOMMU domain as its driver programs it ({@code iommu_map} / {@code iommu_unmap} on
 * the unmanaged domain {@code rproc_enable_iommu} allocated). Implemented over the IOMMU backend's page tables.
 */
public interface DomainMapping {

    /**
     * Maps {@code [iova, iova + size)} to {@code [physicalAddress, ...)} with {@code access}.
     *
     * @throws IllegalArgumentException for unaligned arguments or a range already mapped
     */
    void map(long iova, long physicalAddress, long size, Permissions access);

    /** Removes the mappings of {@code [iova, iova + size)}; pages not mapped are skipped. */
    void unmap(long iova, long size);
}
