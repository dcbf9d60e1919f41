package dev.faultline.api.backend;

/** The kinds of {@link Domain} (Linux {@code IOMMU_DOMAIN_*}). */
public enum DomainType {
    /** Kernel-managed DMA API translation ({@code IOMMU_DOMAIN_DMA}). */
    DMA,
    /** Driver-managed tables ({@code IOMMU_DOMAIN_UNMANAGED}): remoteproc, GPU contexts. */
    UNMANAGED,
    /** A process address space shared with the device ({@code IOMMU_DOMAIN_SVA}). */
    SVA,
    /** Guest-owned stage 1 over host stage 2 ({@code IOMMU_DOMAIN_NESTED}). */
    NESTED
}
