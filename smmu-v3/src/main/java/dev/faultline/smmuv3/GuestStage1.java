package dev.faultline.smmuv3;

/**
 * The stage-1 configuration a guest owns in a nested attachment: the fields of its virtual STE that the host
 * copies into the real one (as Linux's vSMMU does). The CD table lives at an intermediate physical address
 * that the host's stage 2 translates.
 *
 * @param contextTable S1ContextPtr: the IPA of the guest's CD table (64-byte aligned)
 * @param s1Fmt S1Fmt: 0 linear, 1 or 2 two-level
 * @param s1CdMax S1CDMax: log2 of the number of CDs, 0 for one CD and no substreams
 * @param s1Dss S1DSS for transactions without a PASID: 0 terminate, 1 bypass, 2 use CD 0
 */
public record GuestStage1(long contextTable, int s1Fmt, int s1CdMax, int s1Dss) {

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException for a field its STE encoding cannot hold
     */
    public GuestStage1 {
        if ((contextTable & 0x3f) != 0 || contextTable < 0 || (contextTable >>> 52) != 0) {
            throw new IllegalArgumentException(String.format("CD table IPA 0x%x is not 64-byte aligned", contextTable));
        }
        if (s1Fmt < 0 || s1Fmt > 2 || s1CdMax < 0 || s1CdMax > 20 || s1Dss < 0 || s1Dss > 2) {
            throw new IllegalArgumentException("guest S1Fmt " + s1Fmt + ", S1CDMax " + s1CdMax + ", S1DSS " + s1Dss
                    + " out of range (0-2, 0-20, 0-2)");
        }
    }

    /** One guest CD at {@code cdIpa}, no substreams. */
    public static GuestStage1 single(long cdIpa) {
        return new GuestStage1(cdIpa, 0, 0, 0);
    }
}
