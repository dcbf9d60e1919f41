package dev.faultline.smmuv3;

import dev.faultline.platform.arm.Stage;
import dev.faultline.platform.arm.TranslationTable;

/**
 * A stage-1 translation table for a context descriptor: what CD.TTB0 and CD.T0SZ get.
 *
 * @param ttb0 the physical address of the starting-level table
 * @param inputBits the VA size, 25 to 48 (T0SZ = 64 - inputBits)
 */
public record Stage1Tables(long ttb0, int inputBits) {

    /**
     * Validates the tables.
     *
     * @throws IllegalArgumentException for an unaligned base or an input size outside 25..48
     */
    public Stage1Tables {
        if ((ttb0 & 0xf) != 0 || ttb0 < 0) {
            throw new IllegalArgumentException(String.format("TTB0 0x%x is not a 16-byte aligned address", ttb0));
        }
        if (inputBits < 25 || inputBits > 48) {
            throw new IllegalArgumentException("stage-1 input size " + inputBits + " outside [25, 48] bits");
        }
    }

    /**
     * The tables of a stage-1 {@link TranslationTable}.
     *
     * @throws IllegalArgumentException if the table is a stage-2 table
     */
    public static Stage1Tables of(TranslationTable table) {
        if (table.stage() != Stage.STAGE1) {
            throw new IllegalArgumentException("a stage-2 table cannot be a CD's TTB0");
        }
        return new Stage1Tables(table.root(), table.inputBits());
    }
}
