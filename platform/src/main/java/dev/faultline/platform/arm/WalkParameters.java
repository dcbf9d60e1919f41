package dev.faultline.platform.arm;

import java.util.Objects;

/**
 * What a walk of one stage needs (from a CD for stage 1, from an STE for stage 2), validated.
 *
 * @param stage the stage
 * @param tableBase TTB0 or S2TTB: the physical (or, for nested stage 1, intermediate physical) address of the
 *     starting-level table
 * @param inputBits IAS = 64 - T0SZ (stage 1) or 64 - S2T0SZ (stage 2)
 * @param startLevel the starting level (stage 1: from IAS; stage 2: from SL0)
 * @param outputBits the effective output size min(IPS or S2PS, OAS)
 * @param accessFlagFaultsDisabled CD.AFFD / STE.S2AFFD: AF = 0 is treated as 1
 * @param hardwareAccessFlag CD.HA / STE.S2HA: the walker sets AF instead of faulting
 * @param hardwareDirty CD.HD / STE.S2HD: writes to DBM = 1 read-only leaves make them writable
 * @param topByteIgnore CD.TBI0: address bits [63:56] are ignored (stage 1 only)
 * @param walksDisabled CD.EPD0: every TTB0 walk is a translation fault (stage 1 only)
 */
public record WalkParameters(Stage stage, long tableBase, int inputBits, int startLevel, int outputBits,
        boolean accessFlagFaultsDisabled, boolean hardwareAccessFlag, boolean hardwareDirty, boolean topByteIgnore,
        boolean walksDisabled) {

    /** IPS / PS / OAS encodings 0-6 in bits (Arm ARM VMSAv8-64 levels). */
    private static final int[] OUTPUT_BITS = {32, 36, 40, 42, 44, 48, 52};
    /** The widest output this model's tables hold ({@link Descriptor#ADDR_MASK}, no 52-bit LPA). */
    public static final int MAX_OUTPUT_BITS = 48;

    /**
     * Validates the parameters.
     *
     * @throws IllegalArgumentException for a start level or table size the architecture does not allow, or a
     *     misaligned table base (the SMMU reports such a CD or STE as ILLEGAL: C_BAD_CD / C_BAD_STE)
     */
    public WalkParameters {
        Objects.requireNonNull(stage, "stage");
        if (inputBits < 21 || inputBits > 48) {
            throw new IllegalArgumentException("input size " + inputBits + " bits outside [21, 48] (4 KiB granule)");
        }
        if (startLevel < 0 || startLevel > 3) {
            throw new IllegalArgumentException("start level " + startLevel + " outside [0, 3]");
        }
        int top = inputBits - Descriptor.levelShift(startLevel);
        int maxTop = stage == Stage.STAGE2 && startLevel > 0 ? 9 + 4 : 9; // up to 16 concatenated tables (§2.4)
        if (top < 1 || top > maxTop) {
            throw new IllegalArgumentException("input size " + inputBits + " bits cannot start at level "
                    + startLevel + " (" + top + " index bits at the top)");
        }
        if (outputBits < 32 || outputBits > 52) {
            throw new IllegalArgumentException("output size " + outputBits + " bits outside [32, 52]");
        }
        long alignment = Math.max(8L << top, 16); // the starting-level table is aligned to its size
        if ((tableBase & (alignment - 1)) != 0 || tableBase < 0) {
            throw new IllegalArgumentException(String.format(
                    "table base 0x%x is not aligned to its %d-byte starting-level table", tableBase, alignment));
        }
        if (stage == Stage.STAGE2 && (topByteIgnore || walksDisabled)) {
            throw new IllegalArgumentException("TBI and EPD are stage-1 controls");
        }
    }

    /** The number of bits for an IPS / PS / OAS encoding. */
    public static int outputBitsOf(int encoding) {
        if (encoding < 0 || encoding >= OUTPUT_BITS.length) {
            throw new IllegalArgumentException("output size encoding " + encoding + " is reserved");
        }
        return OUTPUT_BITS[encoding];
    }

    /** The IPS / PS encoding of {@code bits}. */
    public static int encodingOf(int bits) {
        for (int i = 0; i < OUTPUT_BITS.length; i++) {
            if (OUTPUT_BITS[i] == bits) {
                return i;
            }
        }
        throw new IllegalArgumentException(bits + " bits has no output size encoding");
    }

    /**
     * The stage-1 starting level for {@code inputBits}: {@code 4 - ceil((ias - 12) / 9)} (Arm ARM VMSAv8-64 levels).
     */
    public static int stage1StartLevel(int inputBits) {
        int levels = (inputBits - 12 + 8) / 9;
        return 4 - levels;
    }

    /** The stage-2 starting level for an S2SL0 value with the 4 KiB granule: 0 -> 2, 1 -> 1, 2 -> 0. */
    public static int stage2StartLevel(int sl0) {
        if (sl0 < 0 || sl0 > 2) {
            throw new IllegalArgumentException("S2SL0 " + sl0 + " is reserved for the 4 KiB granule");
        }
        return 2 - sl0;
    }

    /** The S2SL0 value of a stage-2 starting level. */
    public static int sl0Of(int startLevel) {
        if (startLevel < 0 || startLevel > 2) {
            throw new IllegalArgumentException("stage 2 cannot start at level " + startLevel + " with SL0");
        }
        return 2 - startLevel;
    }

    /** Stage-1 parameters as Linux programs a CD: no AFFD, HA, HD, TBI or EPD0. */
    public static WalkParameters stage1(long ttb0, int inputBits, int outputBits) {
        return new WalkParameters(Stage.STAGE1, ttb0, inputBits, stage1StartLevel(inputBits), outputBits,
                false, false, false, false, false);
    }

    /** Stage-2 parameters without AFFD, HA or HD. */
    public static WalkParameters stage2(long s2ttb, int inputBits, int startLevel, int outputBits) {
        return new WalkParameters(Stage.STAGE2, s2ttb, inputBits, startLevel, outputBits, false, false, false,
                false, false);
    }

    /** These parameters with AFFD / HA / HD changed. */
    public WalkParameters withAccessFlag(boolean faultsDisabled, boolean hardwareUpdate, boolean dirtyUpdate) {
        return new WalkParameters(stage, tableBase, inputBits, startLevel, outputBits, faultsDisabled,
                hardwareUpdate, dirtyUpdate, topByteIgnore, walksDisabled);
    }

    /** The number of index bits at the starting level (more than 9 for concatenated stage-2 tables). */
    public int topIndexBits() {
        return inputBits - Descriptor.levelShift(startLevel);
    }
}
