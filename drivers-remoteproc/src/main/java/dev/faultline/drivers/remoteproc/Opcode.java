package dev.faultline.drivers.remoteproc;

import org.jspecify.annotations.Nullable;

/**
 * The instruction set of the modelled remote processor core. Every instruction is one 64-bit little-endian
 * word: the opcode in bits [63:56], an operand (a device address or an unsigned immediate) in bits [47:0].
 * The core fetches instructions and moves data by DMA through its IOMMU, so a firmware bug or a bad pointer
 * from the host becomes a real IOMMU fault.
 *
 * <p>Registers: {@code pc}, an accumulator {@code acc} and a pointer {@code ptr}, all reset at start.
 * Memory never written reads as zero, which decodes as {@link #HALT}.
 */
public enum Opcode {
    /** Stop executing (the firmware returned). */
    HALT(0x00),
    /** {@code acc = mem64[operand]}. */
    LOAD(0x01),
    /** {@code mem64[operand] = acc}. */
    STORE(0x02),
    /** {@code ptr = mem64[operand]}: read a pointer, e.g. one the host placed in shared memory. */
    LOAD_POINTER(0x03),
    /** {@code mem64[ptr] = acc}. */
    STORE_INDIRECT(0x04),
    /** {@code acc += operand}. */
    ADD(0x05),
    /** {@code pc = operand}. */
    JUMP(0x06),
    /** Wait for an interrupt: ends the current time slice; execution resumes at the next instruction. */
    WAIT(0x07),
    /** {@code acc = operand}. */
    LOAD_IMMEDIATE(0x08);

    /** The operand field's width. */
    public static final int OPERAND_BITS = 48;
    private static final long OPERAND_MASK = (1L << OPERAND_BITS) - 1;
    private static final Opcode[] BY_CODE = new Opcode[256];

    static {
        for (Opcode op : values()) {
            BY_CODE[op.code] = op;
        }
    }

    private final int code;

    Opcode(int code) {
        this.code = code;
    }

    /** The opcode byte. */
    public int code() {
        return code;
    }

    /**
     * The instruction word for this opcode with {@code operand}.
     *
     * @throws IllegalArgumentException if the operand does not fit 48 bits
     */
    public long encode(long operand) {
        if ((operand & ~OPERAND_MASK) != 0) {
            throw new IllegalArgumentException(String.format("operand 0x%x does not fit 48 bits", operand));
        }
        return (long) code << 56 | operand;
    }

    /** The instruction word for an opcode without operand. */
    public long encode() {
        return encode(0);
    }

    /** The opcode of an instruction word, or {@code null} if its opcode byte is undefined. */
    public static @Nullable Opcode decode(long word) {
        return BY_CODE[(int) (word >>> 56)];
    }

    /** The operand of an instruction word. */
    public static long operand(long word) {
        return word & OPERAND_MASK;
    }
}
