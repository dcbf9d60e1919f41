package dev.faultline.drivers.msm;

import java.util.Objects;

/**
 * One step of a GPU job: a memory access a block makes in the job's context, or a CP write to a scratch
 * register (userspace drivers put markers there; the fault line prints registers 4 to 7).
 *
 * @param kind what the step does
 * @param block the block that makes the access ({@link GpuBlock#CP} for scratch writes)
 * @param address the GPU virtual address accessed, or the scratch register index (0 to 7)
 * @param value the 64-bit value written, or the 32-bit scratch value; 0 for reads
 */
public record GpuCommand(Kind kind, GpuBlock block, long address, long value) {

    /** The kinds of steps. */
    public enum Kind {
        /** Read 8 bytes at the address. */
        READ,
        /** Write the value (8 bytes) at the address. */
        WRITE,
        /** Write the value to CP scratch register {@code address}. */
        SCRATCH
    }

    /** The number of CP scratch registers. */
    public static final int SCRATCH_REGISTERS = 8;

    /**
     * Validates the step.
     *
     * @throws IllegalArgumentException for an unaligned access or a scratch register out of range
     */
    public GpuCommand {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(block, "block");
        if (kind == Kind.SCRATCH) {
            if (address < 0 || address >= SCRATCH_REGISTERS || (value >>> 32) != 0) {
                throw new IllegalArgumentException("scratch register " + address + " / value 0x"
                        + Long.toHexString(value) + ": registers are 0..7 and 32 bits wide");
            }
        } else if ((address & 7) != 0 || address < 0) {
            throw new IllegalArgumentException(String.format("GPU access at 0x%x is not 8-byte aligned", address));
        }
    }

    /** {@code block} reads at {@code address}. */
    public static GpuCommand read(GpuBlock block, long address) {
        return new GpuCommand(Kind.READ, block, address, 0);
    }

    /** {@code block} writes {@code value} at {@code address}. */
    public static GpuCommand write(GpuBlock block, long address, long value) {
        return new GpuCommand(Kind.WRITE, block, address, value);
    }

    /** The CP writes {@code value} to scratch register {@code register}. */
    public static GpuCommand scratch(int register, int value) {
        return new GpuCommand(Kind.SCRATCH, GpuBlock.CP, register, value & 0xffff_ffffL);
    }
}
