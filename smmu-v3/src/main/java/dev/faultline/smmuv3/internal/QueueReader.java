package dev.faultline.smmuv3.internal;

import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;

/**
 * The driver's consumer side of the event or PRI queue (IHI 0070 §6.3.26-28), as Linux's {@code queue_sync_prod_in}
 * and {@code queue_sync_cons_ovf}: reads PROD, notices a new overflow episode when PROD.OVFLG differs from the
 * flag it last saw, and writes CONS with OVACKFLG copied from PROD.OVFLG, which acknowledges the episode.
 *
 * <p>Used by the fault thread only.
 */
final class QueueReader {
    private final Smmu smmu;
    private final int prodRegister;
    private final int consRegister;
    private final int entryBytes;
    private long entryZero;
    private int log2;
    private int cons;
    private int overflowSeen;
    private int prod;

    QueueReader(Smmu smmu, int prodRegister, int consRegister, int entryBytes) {
        this.smmu = smmu;
        this.prodRegister = prodRegister;
        this.consRegister = consRegister;
        this.entryBytes = entryBytes;
    }

    /**
     * Uses the queue at {@code base} (a *_BASE value), starting from the SMMU's current CONS; an overflow that
     * is active now (OVFLG != OVACKFLG) will be reported as a new episode.
     */
    void use(long base, int queueLog2) {
        log2 = queueLog2;
        long align = Math.max((long) entryBytes << queueLog2, 32);
        entryZero = base & SmmuRegisters.Q_BASE_ADDR_MASK & ~(align - 1);
        int c = smmu.read32(consRegister);
        cons = QueuePointer.position(c, queueLog2);
        overflowSeen = QueuePointer.overflow(c);
        prod = cons;
    }

    /**
     * Reads PROD.
     *
     * @return whether a new overflow episode began since the last read
     */
    boolean syncProducer() {
        prod = smmu.read32(prodRegister);
        int ovf = QueuePointer.overflow(prod);
        if (ovf != overflowSeen) {
            overflowSeen = ovf;
            return true;
        }
        return false;
    }

    /** Whether an entry is waiting. */
    boolean hasEntry() {
        return !QueuePointer.empty(prod, cons, log2);
    }

    /** The address of the entry at CONS. */
    long entry() {
        return entryZero + (long) QueuePointer.index(cons, log2) * entryBytes;
    }

    /** Moves past the entry at CONS (in the driver's copy; {@link #publish()} tells the SMMU). */
    void advance() {
        cons = QueuePointer.increment(cons, log2);
    }

    /** Writes CONS: the position reached and OVACKFLG = the OVFLG last read. */
    void publish() {
        smmu.write32(consRegister, overflowSeen | QueuePointer.position(cons, log2));
    }
}
