package dev.faultline.viommu;

/** A fault for which the guest's stage-1 tables give no reason. */
public enum UnresolvedFault implements FaultReason {
    /** The guest configured no stage-1 context for the device and PASID (virtio reason DOMAIN). */
    NO_STAGE1_CONTEXT(VirtioIommuFault.REASON_DOMAIN),
    /**
     * The walk now succeeds: the guest changed its tables between the fault and the vIOMMU's walk (virtio reason
     * UNKNOWN). The fault is still delivered, its virtual record being the architecture's translation fault
     * (SMMUv3 F_TRANSLATION, VT-d 0x71), and counted ({@link GuestStatistics#staleWalks()}).
     */
    WALK_SUCCEEDS(VirtioIommuFault.REASON_UNKNOWN),
    /** The hardware gave no faulting address, so there is nothing to walk (virtio reason UNKNOWN). */
    NO_ADDRESS(VirtioIommuFault.REASON_UNKNOWN);

    private final int virtioReason;

    UnresolvedFault(int virtioReason) {
        this.virtioReason = virtioReason;
    }

    /** Always -1: no architecture code. */
    @Override
    public int code() {
        return -1;
    }

    @Override
    public int virtioReason() {
        return virtioReason;
    }
}
