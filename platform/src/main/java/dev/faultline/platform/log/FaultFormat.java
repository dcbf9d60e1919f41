package dev.faultline.platform.log;

/**
 * The kernel fault report formats the {@link LogDecoder} recognises, named as in the test data's
 * {@code format} key.
 */
public enum FaultFormat {
    /** Arm SMMUv3 event queue record: {@code event 0xNN received:} and four dwords, and/or the decoded lines (hw-formats §1.8). */
    SMMUV3_EVENT("smmuv3-event"),
    /** Arm SMMU v1/v2 {@code Unhandled context fault} with its FSR/FSYNR0 lines (hw-formats §5.2). */
    SMMU_CONTEXT_FAULT("smmu-context-fault"),
    /** Intel VT-d DMA-remapping fault ({@code DMAR: [DMA Read ...]}, hw-formats §3.5). */
    DMAR_FAULT("dmar-fault"),
    /** Intel VT-d interrupt-remapping fault ({@code DMAR: [INTR-REMAP] ...}, hw-formats §3.5). */
    DMAR_INTR_REMAP("dmar-intr-remap"),
    /** AMD-Vi {@code IO_PAGE_FAULT} event (hw-formats §6.3). */
    AMD_IO_PAGE_FAULT("amd-io-page-fault"),
    /** msm/Adreno {@code *** gpu fault:} line (hw-formats §5.3). */
    MSM_GPU_FAULT("msm-gpu-fault"),
    /** remoteproc {@code crash detected in ...} line (hw-formats §5.4). */
    REMOTEPROC_CRASH("remoteproc-crash"),
    /** VT-d page request the kernel rejected: reason line and {@code Invalid page request:} dump (hw-formats §3.7). */
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
