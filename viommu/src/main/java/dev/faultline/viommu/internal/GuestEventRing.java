package dev.faultline.viommu.internal;

import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.viommu.WritableGuestMemory;
import java.util.Arrays;

/**
 * The event queue of a guest's virtual SMMUv3, in guest memory: 32-byte records at EVENTQ_BASE, EVENTQ_PROD
 * written by the virtual SMMU, EVENTQ_CONS by the guest (IHI 0070 §6.3.26-6.3.28, §7.4). Not thread-safe: the
 * virtual SMMU's lock guards it.
 */
final class GuestEventRing {
    /** Event record size in dwords ({@code EVTQ_ENT_DWORDS}). */
    static final int DWORDS = 4;
    private static final int RECORD_BYTES = 32;

    private final WritableGuestMemory memory;
    private long base;
    private int log2Size;
    private boolean enabled;
    /** EVENTQ_PROD: WR index, WR_WRAP, OVFLG. */
    private int prod;
    /** EVENTQ_CONS: RD index, RD_WRAP, OVACKFLG. */
    private int cons;
    /** The last record written, for merging (STE.MEV). */
    private final long[] last = new long[DWORDS];
    private boolean lastValid;

    GuestEventRing(WritableGuestMemory memory) {
        this.memory = memory;
    }

    /**
     * Enables the queue at {@code base} with 2^{@code log2Size} records.
     *
     * @return false, and the queue stays disabled, if the queue is not aligned to its size or not wholly in
     *     guest RAM
     */
    boolean enable(long queueBase, int queueLog2Size) {
        long bytes = (long) RECORD_BYTES << queueLog2Size;
        if ((queueBase & (bytes - 1)) != 0 || !memory.contains(queueBase)
                || !memory.contains(queueBase + bytes - Long.BYTES)) {
            return false;
        }
        base = queueBase;
        log2Size = queueLog2Size;
        enabled = true;
        lastValid = false;
        return true;
    }

    void disable() {
        enabled = false;
        lastValid = false;
    }

    boolean enabled() {
        return enabled;
    }

    int prod() {
        return prod;
    }

    int cons() {
        return cons;
    }

    /** Whether a record can be written now. */
    boolean hasRoom() {
        return enabled && !QueuePointer.full(prod, cons, log2Size);
    }

    /** Writes one record at PROD and advances it; the caller checked {@link #hasRoom()}. */
    void write(long[] record) {
        long at = base + (long) RECORD_BYTES * QueuePointer.index(prod, log2Size);
        for (int i = 0; i < DWORDS; i++) {
            memory.write64(at + (long) Long.BYTES * i, record[i]);
        }
        prod = QueuePointer.increment(prod, log2Size);
        System.arraycopy(record, 0, last, 0, DWORDS);
        lastValid = true;
    }

    /** Whether {@code record} is identical to the last record written, which the guest has not read yet. */
    boolean repeatsUnreadLast(long[] record) {
        return enabled && lastValid && !QueuePointer.empty(prod, cons, log2Size) && Arrays.equals(last, record);
    }

    /**
     * A record was discarded for lack of room: toggles OVFLG unless an overflow is already active (OVFLG !=
     * OVACKFLG), IHI 0070 §7.4.
     *
     * @return whether OVFLG was toggled
     */
    boolean overflow() {
        if (QueuePointer.overflow(prod) != QueuePointer.overflow(cons)) {
            return false;
        }
        prod ^= SmmuRegisters.Q_OVERFLOW_FLAG;
        return true;
    }

    /**
     * The guest's write of EVENTQ_CONS. While the queue is enabled it may only move RD forward over records
     * written (never past PROD); a disabled queue takes any position (software initialises it before enabling).
     * No RES0 bit may be set.
     *
     * @return false, and CONS is unchanged, for a value that breaks these rules
     */
    boolean consume(int value) {
        if ((value & ~(SmmuRegisters.Q_OVERFLOW_FLAG | positionMask())) != 0) {
            return false;
        }
        if (enabled && distance(cons, value) > distance(cons, prod)) {
            return false;
        }
        cons = value;
        return true;
    }

    /**
     * The guest's write of EVENTQ_PROD, which software may set only while the queue is disabled (to initialise
     * it, as Linux does before enabling).
     *
     * @return false, and PROD is unchanged, if the queue is enabled or a RES0 bit is set
     */
    boolean initialiseProd(int value) {
        if (enabled || (value & ~(SmmuRegisters.Q_OVERFLOW_FLAG | positionMask())) != 0) {
            return false;
        }
        prod = value;
        return true;
    }

    /** The queue size the next enable may use; pointers are checked against it. */
    void size(int queueLog2Size) {
        if (!enabled) {
            log2Size = queueLog2Size;
        }
    }

    private int positionMask() {
        return (2 << log2Size) - 1;
    }

    /** Entries from position {@code from} forward to position {@code to}, wrap bits included. */
    private int distance(int from, int to) {
        return (to - from) & positionMask();
    }
}
