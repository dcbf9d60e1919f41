package dev.faultline.platform.vtd;

/**
 * The CAP register (VT-d CAP/ECAP; Linux {@code cap_*} macros), read in place.
 *
 * @param value the 64-bit register
 */
public record Capability(long value) {
    private static final int ND_SHIFT = 0;
    private static final int CM_BIT = 7;
    private static final int SAGAW_SHIFT = 8;
    private static final int MGAW_SHIFT = 16;
    private static final int ZLR_BIT = 22;
    private static final int FRO_SHIFT = 24;
    private static final int SLLPS_SHIFT = 34;
    private static final int PSI_BIT = 39;
    private static final int NFR_SHIFT = 40;
    private static final int FL1GP_BIT = 56;
    private static final int FL5LP_BIT = 60;

    /**
     * A CAP value with the fields the model uses.
     *
     * @param nd ND [2:0]: 2^(4 + 2·ND) domain ids
     * @param cachingMode CM
     * @param sagaw SAGAW [12:8] bits
     * @param mgaw the maximum guest address width in bits (stored as width - 1)
     * @param faultRecordingOffset byte offset of FRCD[0], a multiple of 16 (stored / 16 in [33:24])
     * @param faultRecordingCount number of FRCD registers, 1 to 256 (stored - 1 in [47:40])
     * @param pageSelectiveInvalidation PSI
     * @param firstLevel1GPages FL1GP
     * @throws IllegalArgumentException for a field that does not fit
     */
    public static Capability of(int nd, boolean cachingMode, int sagaw, int mgaw, int faultRecordingOffset,
            int faultRecordingCount, boolean pageSelectiveInvalidation, boolean firstLevel1GPages) {
        check("ND", nd, 7);
        check("SAGAW", sagaw, 0x1f);
        check("MGAW - 1", mgaw - 1, 0x3f);
        if ((faultRecordingOffset & 0xf) != 0) {
            throw new IllegalArgumentException("FRCD offset 0x" + Integer.toHexString(faultRecordingOffset)
                    + " is not a multiple of 16");
        }
        check("FRO", faultRecordingOffset / 16, 0x3ff);
        check("NFR - 1", faultRecordingCount - 1, 0xff);
        return new Capability((long) nd << ND_SHIFT | bit(cachingMode, CM_BIT) | (long) sagaw << SAGAW_SHIFT
                | (long) (mgaw - 1) << MGAW_SHIFT | (long) (faultRecordingOffset / 16) << FRO_SHIFT
                | bit(pageSelectiveInvalidation, PSI_BIT) | (long) (faultRecordingCount - 1) << NFR_SHIFT
                | bit(firstLevel1GPages, FL1GP_BIT));
    }

    /** {@code cap_ndoms}: the number of domain ids. */
    public int domainIds() {
        return 1 << (4 + 2 * (int) (value & 7));
    }

    /** {@code cap_caching_mode}. */
    public boolean cachingMode() {
        return bit(CM_BIT);
    }

    /** {@code cap_sagaw}: supported second-level widths (bit 2 = 4-level). */
    public int sagaw() {
        return (int) (value >>> SAGAW_SHIFT) & 0x1f;
    }

    /** {@code cap_mgaw}: the maximum guest address width in bits. */
    public int mgaw() {
        return (int) ((value >>> MGAW_SHIFT) & 0x3f) + 1;
    }

    /** {@code cap_zlr}. */
    public boolean zeroLengthRead() {
        return bit(ZLR_BIT);
    }

    /** {@code cap_fault_reg_offset}: the byte offset of FRCD[0]. */
    public int faultRecordingOffset() {
        return (int) ((value >>> FRO_SHIFT) & 0x3ff) * 16;
    }

    /** {@code cap_super_page_val}: second-level large page support. */
    public int secondLevelLargePages() {
        return (int) (value >>> SLLPS_SHIFT) & 0xf;
    }

    /** {@code cap_pgsel_inv}. */
    public boolean pageSelectiveInvalidation() {
        return bit(PSI_BIT);
    }

    /** {@code cap_num_fault_regs}: how many FRCD registers. */
    public int faultRecordingCount() {
        return (int) ((value >>> NFR_SHIFT) & 0xff) + 1;
    }

    /** {@code cap_fl1gp_support}: first-level 1 GiB pages. */
    public boolean firstLevel1GPages() {
        return bit(FL1GP_BIT);
    }

    /** {@code cap_fl5lp_support}: first-level 5-level paging. */
    public boolean firstLevel5Level() {
        return bit(FL5LP_BIT);
    }

    /** The byte offset of FRCD[{@code index}]. */
    public int faultRecordOffset(int index) {
        return faultRecordingOffset() + RegisterMap.FRCD_LENGTH * index;
    }

    private boolean bit(int position) {
        return (value >>> position & 1) != 0;
    }

    static long bit(boolean set, int position) {
        return set ? 1L << position : 0;
    }

    static void check(String field, long value, long max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(field + " " + value + " is outside [0, " + max + "]");
        }
    }

    @Override
    public String toString() {
        return String.format("Capability[0x%016x]", value);
    }
}
