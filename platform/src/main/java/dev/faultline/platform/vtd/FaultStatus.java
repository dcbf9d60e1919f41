package dev.faultline.platform.vtd;

/**
 * The FSTS register (VT-d FSTS), read in place.
 *
 * @param value the 32-bit register
 */
public record FaultStatus(int value) {

    /** PFO: a fault was dropped because the next FRCD was still full. */
    public boolean primaryFaultOverflow() {
        return (value & RegisterMap.FSTS_PFO) != 0;
    }

    /** PPF: some FRCD holds a fault. */
    public boolean primaryPendingFault() {
        return (value & RegisterMap.FSTS_PPF) != 0;
    }

    /** IQE: invalidation queue error. */
    public boolean invalidationQueueError() {
        return (value & RegisterMap.FSTS_IQE) != 0;
    }

    /** {@code dma_fsts_fault_record_index}: FRI, the first pending FRCD. */
    public int faultRecordIndex() {
        return (value >>> RegisterMap.FSTS_FRI_SHIFT) & 0xff;
    }

    /** As Linux prints it in {@code DRHD: handling fault status reg %x}: plain hex. */
    @Override
    public String toString() {
        return Integer.toHexString(value);
    }
}
