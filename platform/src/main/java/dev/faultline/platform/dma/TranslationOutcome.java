package dev.faultline.platform.dma;

/** Where a {@link DmaTransaction} stands. Every state but {@link #PENDING} and {@link #STALLED} is final. */
public enum TranslationOutcome {
    /** Issued; the IOMMU has not decided yet. */
    PENDING,
    /** Held by the IOMMU after a fault until software resumes (retry) or terminates it (SMMUv3 stall model). */
    STALLED,
    /** Translated: the access goes to {@link DmaTransaction#physicalAddress()}. */
    TRANSLATED,
    /**
     * An ATS translation request completed without granting the access (R = W = 0): the device may send a page
     * request and retry (PCIe ATS/PRI). Only for {@link DmaAccess#translationRequest()} accesses.
     */
    NO_TRANSLATION,
    /** Terminated with an abort: the device sees an error completion (unrecoverable fault, bad configuration). */
    ABORTED,
    /** Terminated without abort: reads return zero and writes are ignored (SMMUv3 CD.A = 0, CMD_RESUME terminate). */
    RAZ_WI;

    /** Whether the transaction is finished. */
    public boolean isFinal() {
        return this != PENDING && this != STALLED;
    }
}
