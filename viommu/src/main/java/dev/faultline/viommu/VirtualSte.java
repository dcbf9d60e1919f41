package dev.faultline.viommu;

/**
 * What a guest's stream table entry asks for one of its virtual streams, once the virtual SMMUv3 has validated
 * it: the VMM makes the host device follow it through {@link StreamBinder#bind}. Only the fields a nested host
 * STE copies from the guest's (as Linux's vSMMU does) are kept: the host's stage 2 stays the host's.
 *
 * @param mode what the stream's traffic does
 * @param contextTable S1ContextPtr: the guest-physical address of the CD table (64-byte aligned); 0 unless
 *     {@link Mode#STAGE1}
 * @param s1Fmt S1Fmt: 0 (a linear CD table; the virtual SMMUv3 offers no two-level CD tables)
 * @param s1CdMax S1CDMax: log2 of the number of CDs, 0 for one CD and no substreams
 * @param s1Dss S1DSS for transactions without a PASID: 0 terminate, 1 bypass stage 1, 2 use CD 0
 * @param mergeEvents STE.MEV: the guest allows events of this stream to be merged (IHI 0070 §7.3.1)
 */
public record VirtualSte(Mode mode, long contextTable, int s1Fmt, int s1CdMax, int s1Dss, boolean mergeEvents) {

    /** STE.Config as the virtual SMMUv3 (stage 1 only) accepts it. */
    public enum Mode {
        /** Config 0b000, V = 0, a refused entry, or the SMMU disabled: every transaction is aborted. */
        ABORT,
        /** Config 0b100: stage 1 bypassed; the host's stage 2 alone translates. */
        BYPASS,
        /** Config 0b101: the guest's stage 1 (its CD table) over the host's stage 2. */
        STAGE1
    }

    /** The entry of a stream whose traffic is aborted. */
    public static final VirtualSte ABORT = new VirtualSte(Mode.ABORT, 0, 0, 0, 0, false);

    /**
     * Validates the entry.
     *
     * @throws IllegalArgumentException for a field its STE encoding cannot hold, or a CD table outside
     *     {@link Mode#STAGE1}
     */
    public VirtualSte {
        if (mode == null) {
            throw new IllegalArgumentException("STE mode is null");
        }
        if ((contextTable & 0x3f) != 0 || contextTable < 0 || (contextTable >>> 52) != 0
                || (mode != Mode.STAGE1 && contextTable != 0)) {
            throw new IllegalArgumentException(String.format("CD table IPA 0x%x is not a 64-byte aligned %s",
                    contextTable, mode == Mode.STAGE1 ? "address" : "zero outside STAGE1"));
        }
        if (s1Fmt != 0 || s1CdMax < 0 || s1CdMax > 20 || s1Dss < 0 || s1Dss > 2) {
            throw new IllegalArgumentException("S1Fmt " + s1Fmt + ", S1CDMax " + s1CdMax + ", S1DSS " + s1Dss
                    + " out of range (0, 0-20, 0-2)");
        }
    }
}
