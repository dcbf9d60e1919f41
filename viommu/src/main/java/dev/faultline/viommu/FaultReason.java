package dev.faultline.viommu;

/**
 * Why a guest's DMA faulted, as the virtual IOMMU found it by walking the guest's own stage-1 tables (the
 * host passes only device, PASID, address and permissions, as the 2023 design proposed).
 */
public sealed interface FaultReason permits ArmStage1Fault, FirstLevelFault, UnresolvedFault {

    /** The code of the guest's IOMMU architecture: SMMUv3 event number, VT-d fault reason, or -1 for none. */
    int code();

    /** The reason class of the permission-only message ({@link VirtioIommuFault#reason()}). */
    int virtioReason();
}
