package dev.faultline.platform.dma;

import dev.faultline.api.fault.Pasid;

/**
 * A PCIe Page Request message (PCIe Page Request): what a PRI-capable function sends its IOMMU to ask for a page
 * to be made resident.
 *
 * @param requesterId the function's requester id (16 bits; SMMUv3 StreamID[15:0], IHI §8)
 * @param pasid the PASID of the PASID TLP prefix, or {@link Pasid#NONE} when there is no prefix
 * @param execute Execute Requested (PASID prefix; 0 without a PASID)
 * @param privileged Privileged Mode Requested (PASID prefix; 0 without a PASID)
 * @param read R, read access requested
 * @param write W, write access requested
 * @param last L, the last request of its page request group
 * @param prgIndex the page request group index, 9 bits
 * @param pageAddress the page address, 4 KiB aligned
 */
public record PageRequestMessage(int requesterId, int pasid, boolean execute, boolean privileged, boolean read,
        boolean write, boolean last, int prgIndex, long pageAddress) {

    /** PRG Index width: 9 bits. */
    public static final int PRG_INDEX_MASK = 0x1ff;

    /**
     * Validates the message.
     *
     * @throws IllegalArgumentException for a requester id wider than 16 bits, a bad PASID, X or Priv without a
     *     PASID, a PRG index wider than 9 bits, or an unaligned page address
     */
    public PageRequestMessage {
        if ((requesterId & ~0xffff) != 0) {
            throw new IllegalArgumentException("requester id 0x" + Integer.toHexString(requesterId)
                    + " does not fit 16 bits");
        }
        Pasid.requireValidOrNone(pasid);
        if (pasid == Pasid.NONE && (execute || privileged)) {
            throw new IllegalArgumentException("execute and privileged requests need a PASID prefix (PCIe PRI)");
        }
        if ((prgIndex & ~PRG_INDEX_MASK) != 0) {
            throw new IllegalArgumentException("PRG index " + prgIndex + " does not fit 9 bits");
        }
        if ((pageAddress & 0xfffL) != 0) {
            throw new IllegalArgumentException(String.format("page address 0x%x is not 4 KiB aligned", pageAddress));
        }
    }

    /** Whether the request carries a PASID prefix. */
    public boolean hasPasid() {
        return pasid != Pasid.NONE;
    }

    /**
     * Whether this is a Stop Marker: L = 1, R = W = 0 with a PASID prefix (PCIe Stop Marker). Never answered.
     * The same bits without a PASID are an ordinary request.
     */
    public boolean isStopMarker() {
        return hasPasid() && last && !read && !write;
    }

    /** A Stop Marker for {@code pasid}. */
    public static PageRequestMessage stopMarker(int requesterId, int pasid, int prgIndex) {
        if (pasid == Pasid.NONE) {
            throw new IllegalArgumentException("a Stop Marker carries a PASID");
        }
        return new PageRequestMessage(requesterId, pasid, false, false, false, false, true, prgIndex, 0);
    }
}
