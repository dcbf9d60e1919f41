package dev.faultline.api.fault;

/**
 * Process Address Space IDs: 20 bits (PCIe PASID TLP prefix; SMMUv3 SubstreamID as used by Linux).
 * A fault without a PASID carries {@link #NONE}.
 */
public final class Pasid {
    /** Width of a PASID in bits. */
    public static final int BITS = 20;
    /** The largest PASID. */
    public static final int MAX = (1 << BITS) - 1;
    /** Marker for "no PASID" (Linux: PASID_VALID clear). Not a valid PASID. */
    public static final int NONE = -1;

    private Pasid() {
    }

    /** Whether {@code pasid} is a valid PASID (0 to {@link #MAX}). */
    public static boolean isValid(int pasid) {
        return pasid >= 0 && pasid <= MAX;
    }

    /**
     * Returns {@code pasid} if it is {@link #NONE} or valid.
     *
     * @throws IllegalArgumentException otherwise, naming the value and the range
     */
    public static int requireValidOrNone(int pasid) {
        if (pasid != NONE && !isValid(pasid)) {
            throw new IllegalArgumentException("PASID 0x" + Integer.toHexString(pasid)
                    + " is outside the 20-bit range [0, 0xfffff]");
        }
        return pasid;
    }

    /** {@code 0x...} for a PASID, {@code none} for {@link #NONE}. */
    public static String format(int pasid) {
        return pasid == NONE ? "none" : "0x" + Integer.toHexString(pasid);
    }
}
