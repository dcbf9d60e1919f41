package dev.faultline.platform.smmuv3;

import dev.faultline.platform.memory.PhysicalMemory;
import java.util.function.LongPredicate;

/**
 * The SMMU's producer side of a queue in memory (event queue, PRI queue): base, PROD with OVFLG, CONS with
 * OVACKFLG, as IHI 0070 §6.3.26-6.3.28 describes. Not thread-safe: the {@link Smmu} lock guards it.
 */
final class OutputQueue {
    private final PhysicalMemory memory;
    private final LongPredicate externalAbort;
    private final int entryBytes;
    private final int maxLog2;
    private long base;
    private int prod;
    private int cons;

    OutputQueue(PhysicalMemory memory, LongPredicate externalAbort, int entryBytes, int maxLog2) {
        this.memory = memory;
        this.externalAbort = externalAbort;
        this.entryBytes = entryBytes;
        this.maxLog2 = maxLog2;
    }

    long base() {
        return base;
    }

    void writeBase(long value) {
        base = value;
    }

    int prod() {
        return prod;
    }

    /** Software may set PROD before enabling the queue (index and wrap only). */
    void writeProd(int value) {
        prod = value & (SmmuRegisters.Q_OVERFLOW_FLAG | ((2 << log2()) - 1));
    }

    int cons() {
        return cons;
    }

    /** Software writes CONS: RD index, RD wrap and OVACKFLG. */
    void writeCons(int value) {
        cons = value & (SmmuRegisters.Q_OVERFLOW_FLAG | ((2 << log2()) - 1));
    }

    /** The effective size: min(BASE.LOG2SIZE, the ID register limit). */
    int log2() {
        return (int) Math.min(base & SmmuRegisters.Q_BASE_LOG2SIZE, maxLog2);
    }

    /** The address of entry 0, aligned to the larger of the queue size and 32 bytes (IHI §6.3.26). */
    long entryZero() {
        long align = Math.max((long) entryBytes << log2(), 32);
        return base & SmmuRegisters.Q_BASE_ADDR_MASK & ~(align - 1);
    }

    boolean full() {
        return QueuePointer.full(prod, cons, log2());
    }

    boolean empty() {
        return QueuePointer.empty(prod, cons, log2());
    }

    /** Overflow is active while PROD.OVFLG differs from CONS.OVACKFLG. */
    boolean overflowActive() {
        return QueuePointer.overflow(prod) != QueuePointer.overflow(cons);
    }

    /** A discarded record: toggles OVFLG if no overflow is active, so that the episode becomes visible. */
    void recordOverflow() {
        if (!overflowActive()) {
            prod ^= SmmuRegisters.Q_OVERFLOW_FLAG;
        }
    }

    /**
     * Writes one entry at PROD and advances PROD.
     *
     * @return false if the write got an external abort (nothing advanced)
     */
    boolean push(long[] entry) {
        long slot = entryZero() + (long) QueuePointer.index(prod, log2()) * entryBytes;
        if (externalAbort.test(slot)) {
            return false;
        }
        for (int i = 0; i < entry.length; i++) {
            memory.write64(slot + 8L * i, entry[i]);
        }
        prod = QueuePointer.increment(prod, log2());
        return true;
    }
}
