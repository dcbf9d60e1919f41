package dev.faultline.platform.dma;

/**
 * The kind of a DMA access, as an IOMMU sees it: SMMUv3 RnW/InD (IHI 0070 §7.3), VT-d read/write/execute
 * requests. An instruction fetch is a read.
 */
public enum AccessType {
    /** A data read (SMMUv3 RnW = 1, InD = 0). */
    READ,
    /** A data write (RnW = 0; InD is always 0 for writes, IHI §7.3.16). */
    WRITE,
    /** An instruction fetch (RnW = 1, InD = 1). */
    INSTRUCTION_FETCH;

    /** Whether the access reads memory (reads and instruction fetches). */
    public boolean isRead() {
        return this != WRITE;
    }

    /** Whether the access writes memory. */
    public boolean isWrite() {
        return this == WRITE;
    }

    /** Whether the access is an instruction fetch. */
    public boolean isInstruction() {
        return this == INSTRUCTION_FETCH;
    }
}
