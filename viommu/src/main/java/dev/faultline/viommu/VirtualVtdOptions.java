package dev.faultline.viommu;

/**
 * How a {@link VirtualVtd} unit is built: what its capability registers say and how it records faults.
 *
 * @param faultRecords CAP.NFR: the number of fault recording registers, 1 to 256
 * @param addressWidth the unit's address width (39 to 52 bits): first-level entry address bits at or above it are
 *     reserved (fault 0x72); a VMM gives the host unit's width so that the guest's records match the hardware's
 * @param compressFaults whether a fault of a source id (virtual requester id) that still has a pending fault
 *     record (F = 1) is collapsed into it instead of taking the next register (the VT-d spec allows either)
 * @since 1.2
 */
public record VirtualVtdOptions(int faultRecords, int addressWidth, boolean compressFaults) {

    /** Eight fault recording registers, 48-bit width, no compression. */
    public static final VirtualVtdOptions STANDARD = new VirtualVtdOptions(8, 48, false);

    /**
     * Validates the options.
     *
     * @throws IllegalArgumentException for a count outside 1..256 or a width outside 39..52
     */
    public VirtualVtdOptions {
        if (faultRecords < 1 || faultRecords > 256) {
            throw new IllegalArgumentException("fault recording registers " + faultRecords + " outside 1..256");
        }
        if (addressWidth < FirstLevelContext.MIN_ADDRESS_WIDTH || addressWidth > FirstLevelContext.MAX_ADDRESS_WIDTH) {
            throw new IllegalArgumentException("address width " + addressWidth + " outside "
                    + FirstLevelContext.MIN_ADDRESS_WIDTH + ".." + FirstLevelContext.MAX_ADDRESS_WIDTH);
        }
    }

    /** These options with fault compression on or off. */
    public VirtualVtdOptions withCompressFaults(boolean on) {
        return new VirtualVtdOptions(faultRecords, addressWidth, on);
    }
}
