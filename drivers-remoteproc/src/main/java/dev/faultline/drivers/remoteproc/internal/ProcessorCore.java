package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.drivers.remoteproc.Opcode;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import java.time.Duration;
import java.util.Objects;

/**
 * The remote processor's core: executes {@link Opcode} firmware, fetching every instruction and moving every
 * word by DMA through its IOMMU. A DMA access that does not complete (aborted by the IOMMU, or terminated
 * after a stall) stops the core with a bus error: the core cannot continue, and only the host's recovery
 * restarts it. The IOMMU's fault report, not the core, tells the host.
 *
 * <p>Thread-safe; {@link #run} holds the core for one time slice.
 */
final class ProcessorCore {

    /** Why {@link #run} returned. */
    enum Exit {
        /** The firmware executed {@link Opcode#WAIT}: the slice ended normally. */
        WAITING,
        /** The instruction budget of the slice ran out. */
        BUDGET_SPENT,
        /** The firmware executed {@link Opcode#HALT}; the core stays halted. */
        HALTED,
        /** A DMA access did not complete; the core stays stopped until {@link #reset}. */
        BUS_ERROR,
        /** An undefined instruction; the core stays stopped until {@link #reset}. */
        UNDEFINED_INSTRUCTION,
        /** The core is not running (never started, stopped, or stopped by an earlier exit). */
        STOPPED
    }

    private final DmaDevice dma;
    private final Duration dmaTimeout;
    private long pc;
    private long acc;
    private long ptr;
    private boolean running;
    private long executed;
    private DmaResult lastBusError;

    ProcessorCore(DmaDevice dma, Duration dmaTimeout) {
        this.dma = Objects.requireNonNull(dma, "dma");
        this.dmaTimeout = Objects.requireNonNull(dmaTimeout, "dmaTimeout");
    }

    /** Resets the registers and starts executing at {@code entryPoint}. */
    synchronized void reset(long entryPoint) {
        pc = entryPoint;
        acc = 0;
        ptr = 0;
        running = true;
    }

    /** Stops the core; a slice in progress finishes its current instruction first. */
    synchronized void stop() {
        running = false;
    }

    /** Whether the core executes instructions. */
    synchronized boolean running() {
        return running;
    }

    /** The program counter. */
    synchronized long pc() {
        return pc;
    }

    /** Instructions executed since the model was created. */
    synchronized long executed() {
        return executed;
    }

    /** The access that stopped the core with a bus error last, or {@code null}. */
    synchronized DmaResult lastBusError() {
        return lastBusError;
    }

    /** Executes up to {@code budget} instructions. */
    synchronized Exit run(int budget) {
        if (!running) {
            return Exit.STOPPED;
        }
        for (int i = 0; i < budget; i++) {
            DmaResult fetched = dma.fetch(Pasid.NONE, pc, Long.BYTES, dmaTimeout);
            if (!fetched.completed()) {
                return busError(fetched);
            }
            long word = littleEndian(fetched.data());
            Opcode op = Opcode.decode(word);
            if (op == null) {
                running = false;
                return Exit.UNDEFINED_INSTRUCTION;
            }
            executed++;
            long operand = Opcode.operand(word);
            long next = pc + Long.BYTES;
            switch (op) {
                case HALT:
                    running = false;
                    return Exit.HALTED;
                case LOAD:
                case LOAD_POINTER: {
                    DmaResult read = dma.read(Pasid.NONE, operand, Long.BYTES, dmaTimeout);
                    if (!read.completed()) {
                        return busError(read);
                    }
                    if (op == Opcode.LOAD) {
                        acc = littleEndian(read.data());
                    } else {
                        ptr = littleEndian(read.data());
                    }
                    break;
                }
                case STORE:
                case STORE_INDIRECT: {
                    DmaResult written = dma.write(Pasid.NONE, op == Opcode.STORE ? operand : ptr, bytes(acc),
                            dmaTimeout);
                    if (!written.completed()) {
                        return busError(written);
                    }
                    break;
                }
                case ADD:
                    acc += operand;
                    break;
                case LOAD_IMMEDIATE:
                    acc = operand;
                    break;
                case JUMP:
                    next = operand;
                    break;
                case WAIT:
                    pc = next;
                    return Exit.WAITING;
                default:
                    throw new IllegalStateException("opcode " + op + " not executed");
            }
            pc = next;
        }
        return Exit.BUDGET_SPENT;
    }

    private Exit busError(DmaResult result) {
        running = false;
        lastBusError = result;
        return Exit.BUS_ERROR;
    }

    static long littleEndian(byte[] b) {
        long v = 0;
        for (int i = Long.BYTES - 1; i >= 0; i--) {
            v = v << 8 | (b[i] & 0xff);
        }
        return v;
    }

    static byte[] bytes(long value) {
        byte[] b = new byte[Long.BYTES];
        for (int i = 0; i < Long.BYTES; i++) {
            b[i] = (byte) (value >>> (8 * i));
        }
        return b;
    }
}
