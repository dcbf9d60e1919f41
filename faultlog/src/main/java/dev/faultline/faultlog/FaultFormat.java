package dev.faultline.faultlog;

/**
 * The kernel fault report formats the {@link LogDecoder} recognises, named as in the test data's
 * {@code format} key.
 */
public enum FaultFormat {
    /** Arm SMMUv3 event queue record: {@code event 0xNN received:} and four dwords, and/or the decoded lines (arm_smmu_dump_event). */
    SMMUV3_EVENT("smmuv3-event"),
    /** Arm SMMU v1/v2 {@code Unhandled context fault} with its FSR/FSYNR0 lines (Linux arm_smmu_context_fault). */
    SMMU_CONTEXT_FAULT("smmu-context-fault"),
    /** Intel VT-d DMA-remapping fault ({@code DMAR: [DMA Read ...]}, Linux dmar_fault_do_one). */
    DMAR_FAULT("dmar-fault"),
    /** Intel VT-d interrupt-remapping fault ({@code DMAR: [INTR-REMAP] ...}, Linux dmar_fault_do_one). */
    DMAR_INTR_REMAP("dmar-intr-remap"),
    /** AMD-Vi {@code IO_PAGE_FAULT} event (Linux amd_iommu_report_page_fault). */
    AMD_IO_PAGE_FAULT("amd-io-page-fault"),
    /** msm/Adreno {@code *** gpu fault:} line (Linux adreno_fault_handler). */
    MSM_GPU_FAULT("msm-gpu-fault"),
    /** remoteproc {@code crash detected in ...} line (Linux rproc_report_crash). */
    REMOTEPROC_CRASH("remoteproc-crash"),
    /** VT-d page request the kernel rejected: reason line and {@code Invalid page request:} dump (Linux intel/prq.c). */
    PRQ("prq");

    private final String key;

    FaultFormat(String key) {
        this.key = key;
    }

    /** The format's name in decoder output, e.g. {@code smmuv3-event}. */
    public String key() {
        return key;
    }

    /**
     * The format of a name as {@link #key()} prints it.
     *
     * @throws IllegalArgumentException for any other name
     */
    public static FaultFormat ofKey(String key) {
        for (FaultFormat f : values()) {
            if (f.key.equals(key)) {
                return f;
            }
        }
        throw new IllegalArgumentException("no fault format '" + key + "'");
    }
}
