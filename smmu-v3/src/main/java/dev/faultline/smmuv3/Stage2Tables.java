package dev.faultline.smmuv3;

import dev.faultline.platform.arm.Stage;
import dev.faultline.platform.arm.TranslationTable;

/**
 * A stage-2 translation table for an STE: what STE.S2TTB, S2T0SZ and S2SL0 get.
 *
 * @param root the physical address of the starting-level table (concatenated tables included)
 * @param inputBits the IPA size, 25 to 48 (S2T0SZ = 64 - inputBits)
 * @param startLevel the starting level, 0 to 2 (S2SL0 = 2 - startLevel)
 */
public record Stage2Tables(long root, int inputBits, int startLevel) {

    /**
     * Validates the tables.
     *
     * @throws IllegalArgumentException for an unaligned base, an input size outside 25..48 or a start level
     *     outside 0..2
     */
    public Stage2Tables {
        if ((root & 0xf) != 0 || root < 0) {
            throw new IllegalArgumentException(String.format("S2TTB 0x%x is not a 16-byte aligned address", root));
        }
        if (inputBits < 25 || inputBits > 48) {
            throw new IllegalArgumentException("stage-2 input size " + inputBits + " outside [25, 48] bits");
        }
        if (startLevel < 0 || startLevel > 2) {
            throw new IllegalArgumentException("stage-2 start level " + startLevel + " outside [0, 2]");
        }
    }

    /**
     * The tables of a stage-2 {@link TranslationTable}.
     *
     * @throws IllegalArgumentException if the table is a stage-1 table
     */
    public static Stage2Tables of(TranslationTable table) {
        if (table.stage() != Stage.STAGE2) {
            throw new IllegalArgumentException("a stage-1 table cannot be an STE's S2TTB");
        }
        return new Stage2Tables(table.root(), table.inputBits(), table.startLevel());
    }
}
