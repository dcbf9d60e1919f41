package dev.faultline.viommu;

/**
 * A guest's Arm VMSAv8-64 stage-1 configuration with the 4 KiB granule: the fields of an SMMUv3 context
 * descriptor that decide the outcome of a walk through TTB0 (IHI 0070 §5.4, Arm ARM VMSAv8-64 levels).
 *
 * @param tableRoot TTB0, the guest-physical address of the top-level table, aligned to that table's size
 * @param t0sz the input size is {@code 64 - t0sz} bits; 16 to 39 (the range QEMU accepts for 4 KiB)
 * @param outputBits the output size CD.IPS selects: 32, 36, 40, 42, 44, 48 or 52 bits (a 4 KiB-granule walk
 *     never outputs more than 48)
 * @param walksDisabled CD.EPD0: every input address faults (F_TRANSLATION) before any table is read
 * @param hardwareAccessFlag CD.HA: the SMMU sets a clear access flag itself instead of faulting
 * @param accessFlagFaultsDisabled CD.AFFD: a clear access flag is treated as set
 */
public record ArmStage1Context(long tableRoot, int t0sz, int outputBits, boolean walksDisabled,
        boolean hardwareAccessFlag, boolean accessFlagFaultsDisabled) implements Stage1Context {

    /** Smallest T0SZ: 48-bit input addresses. */
    public static final int MIN_T0SZ = 16;
    /** Largest T0SZ: 25-bit input addresses. */
    public static final int MAX_T0SZ = 39;

    // CD dword 0 fields (IHI 0070 §5.4; Linux CTXDESC_CD_0_*)
    private static final long CD0_T0SZ = 0x3fL;
    private static final int CD0_TG0_SHIFT = 6;
    private static final long CD0_EPD0 = 1L << 14;
    private static final long CD0_ENDI = 1L << 15;
    private static final long CD0_V = 1L << 31;
    private static final int CD0_IPS_SHIFT = 32;
    private static final long CD0_AFFD = 1L << 35;
    private static final long CD0_AA64 = 1L << 41;
    private static final long CD0_HA = 1L << 43;
    /** CTXDESC_CD_1_TTB0_MASK: dword 1 bits [51:4]. */
    private static final long CD1_TTB0 = 0x000f_ffff_ffff_fff0L;
    /** CD.IPS / STE.S2PS encodings 0..6 (Arm ARM VMSAv8-64 levels). */
    private static final int[] IPS_BITS = {32, 36, 40, 42, 44, 48, 52};

    /**
     * Validates the configuration.
     *
     * @throws IllegalArgumentException for a T0SZ outside 16..39, an output size no IPS encoding gives, or a
     *     table root that is negative, beyond the output size, or not aligned to the top table's size
     */
    public ArmStage1Context {
        if (t0sz < MIN_T0SZ || t0sz > MAX_T0SZ) {
            throw new IllegalArgumentException("T0SZ " + t0sz + " is outside " + MIN_T0SZ + ".." + MAX_T0SZ
                    + " (4 KiB granule)");
        }
        if (ipsEncoding(outputBits) < 0) {
            throw new IllegalArgumentException("output size " + outputBits
                    + " bits is not one CD.IPS encodes (32, 36, 40, 42, 44, 48, 52)");
        }
        long alignment = Math.max(Long.BYTES, topTableEntries(64 - t0sz) * (long) Long.BYTES);
        if (tableRoot < 0 || (tableRoot & (alignment - 1)) != 0 || (outputBits < 64 && tableRoot >>> outputBits != 0)) {
            throw new IllegalArgumentException(String.format(
                    "TTB0 0x%x must be aligned to its %d-byte top table and below 2^%d", tableRoot, alignment,
                    outputBits));
        }
    }

    /** What Linux programs for a stage-1 domain: 48-bit input and output, no hardware access flag. */
    public static ArmStage1Context linux(long tableRoot) {
        return new ArmStage1Context(tableRoot, 16, 48, false, false, false);
    }

    /**
     * Reads the context descriptor the guest wrote at {@code cdAddress} in its memory.
     *
     * @throws IllegalArgumentException if the CD is unreadable, invalid (V = 0), not AArch64, big-endian, not
     *     4 KiB-granule, or holds a field value this record rejects (an SMMU would report C_BAD_CD)
     */
    public static ArmStage1Context readCd(GuestMemory memory, long cdAddress) {
        if (!memory.contains(cdAddress) || !memory.contains(cdAddress + Long.BYTES)) {
            throw new IllegalArgumentException(String.format("context descriptor at 0x%x is outside guest RAM",
                    cdAddress));
        }
        long d0 = memory.read64(cdAddress);
        long d1 = memory.read64(cdAddress + Long.BYTES);
        if ((d0 & CD0_V) == 0) {
            throw new IllegalArgumentException(String.format("context descriptor at 0x%x is not valid (V = 0)",
                    cdAddress));
        }
        if ((d0 & CD0_AA64) == 0 || (d0 & CD0_ENDI) != 0 || ((d0 >>> CD0_TG0_SHIFT) & 3) != 0) {
            throw new IllegalArgumentException(String.format(
                    "context descriptor at 0x%x is not an AArch64 little-endian 4 KiB-granule one", cdAddress));
        }
        int ips = (int) (d0 >>> CD0_IPS_SHIFT) & 7;
        if (ips >= IPS_BITS.length) {
            throw new IllegalArgumentException(String.format("context descriptor at 0x%x has reserved IPS %d",
                    cdAddress, ips));
        }
        return new ArmStage1Context(d1 & CD1_TTB0, (int) (d0 & CD0_T0SZ), IPS_BITS[ips], (d0 & CD0_EPD0) != 0,
                (d0 & CD0_HA) != 0, (d0 & CD0_AFFD) != 0);
    }

    /** The input address size in bits ({@code 64 - t0sz}). */
    public int inputBits() {
        return 64 - t0sz;
    }

    /** The level the walk starts at: 0, 1 or 2 (Arm ARM VMSAv8-64 levels: {@code 4 - ceil((ias - 12) / 9)}). */
    public int startLevel() {
        return 4 - (inputBits() - 12 + 8) / 9;
    }

    /** The CD.IPS encoding of {@link #outputBits()}. */
    public int ipsEncoding() {
        return ipsEncoding(outputBits);
    }

    private static int ipsEncoding(int bits) {
        for (int i = 0; i < IPS_BITS.length; i++) {
            if (IPS_BITS[i] == bits) {
                return i;
            }
        }
        return -1;
    }

    private static int topTableEntries(int inputBits) {
        int vaBits = inputBits - 12;
        int levels = (vaBits + 8) / 9;
        return 1 << (vaBits - 9 * (levels - 1));
    }
}
