package dev.faultline.smmuv3.internal;

import dev.faultline.core.log.LogSink;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;

/**
 * The driver's side of the command queue (IHI 0070 §4): writes commands at PROD, publishes them with one
 * CMDQ_PROD write, waits (bounded) for room and for CMD_SYNC completion by polling CMDQ_CONS, and recovers from
 * command errors as Linux's {@code arm_smmu_cmdq_skip_err} does. Issuing allocates nothing.
 *
 * <p><b>Response batches.</b> The fault thread opens a batch while it drains a batch of queue entries
 * ({@link #openBatch()}); the responses it issues meanwhile ({@link #issueResponse}) are published at once, each
 * with its own CMDQ_PROD write (so the device resumes without waiting for the batch), but without a CMD_SYNC of
 * their own: {@link #closeBatch()} issues one CMD_SYNC for all of them when the drained batch ends, as Linux's
 * {@code arm_smmu_cmdq_batch} ends a batch with one sync. A response from any other thread is a batch of one
 * (command and CMD_SYNC). Nothing waits on a timer: a batch ends when the entries it drained are handled.
 *
 * <p>Thread-safe: one lock serializes writers.
 */
final class CommandQueue {
    private static final String[] ERRORS = {"No error", "Illegal command", "Abort on command fetch",
        "ATC invalidate timeout"};

    private final Smmu smmu;
    private final PhysicalMemory memory;
    private final String prefix;
    private final LogSink log;
    private final long timeoutNanos;
    private long entryZero;
    private int log2;
    private int prod;
    private long timeouts;
    private long errors;
    /** The thread whose response batch is open, or null. */
    private Thread batchOwner;
    /** Commands published since the last CMD_SYNC that completed (a sync covers every earlier command). */
    private int unsynced;
    private long syncs;

    CommandQueue(Smmu smmu, String prefix, LogSink log, long timeoutNanos) {
        this.smmu = smmu;
        this.memory = smmu.memory();
        this.prefix = prefix;
        this.log = log;
        this.timeoutNanos = timeoutNanos;
    }

    /** Uses the queue at {@code base} (a CMDQ_BASE value) whose producer index is {@code prodValue}. */
    synchronized void use(long base, int queueLog2, int prodValue) {
        this.log2 = queueLog2;
        long align = Math.max((long) Command.BYTES << queueLog2, 32);
        this.entryZero = base & SmmuRegisters.Q_BASE_ADDR_MASK & ~(align - 1);
        this.prod = prodValue & ((2 << queueLog2) - 1);
    }

    /** Issues one command without waiting for its completion. */
    synchronized boolean issue(long dw0, long dw1) {
        if (!reserve(1)) {
            return false;
        }
        put(dw0, dw1);
        smmu.write32(SmmuRegisters.CMDQ_PROD, prod);
        return true;
    }

    /** Issues one command followed by a CMD_SYNC, and waits for the sync to complete. */
    synchronized boolean issueAndSync(long dw0, long dw1) {
        if (!reserve(2)) {
            return false;
        }
        put(dw0, dw1);
        putSync();
        smmu.write32(SmmuRegisters.CMDQ_PROD, prod);
        return awaitSync();
    }

    /** Issues a CMD_SYNC and waits for it. */
    synchronized boolean sync() {
        if (!reserve(1)) {
            return false;
        }
        putSync();
        smmu.write32(SmmuRegisters.CMDQ_PROD, prod);
        return awaitSync();
    }

    /** Opens a response batch for the calling thread (the fault thread, before it handles a drained batch). */
    synchronized void openBatch() {
        batchOwner = Thread.currentThread();
    }

    /**
     * Issues a response command (CMD_RESUME, CMD_PRI_RESP): published at once; synchronized by the caller's open
     * batch's closing CMD_SYNC, or, from a thread without an open batch, by a CMD_SYNC of its own.
     *
     * @return whether the command was issued (and, without a batch, its sync completed in time)
     */
    synchronized boolean issueResponse(long dw0, long dw1) {
        if (batchOwner != Thread.currentThread()) {
            return issueAndSync(dw0, dw1);
        }
        if (!reserve(2)) { // room for the command and the batch's closing CMD_SYNC
            return false;
        }
        put(dw0, dw1);
        smmu.write32(SmmuRegisters.CMDQ_PROD, prod);
        unsynced++;
        return true;
    }

    /**
     * Closes the calling thread's batch: one CMD_SYNC for every command published since the last sync, if any
     * (a fault thread a handler held, whose pass went to a successor, never calls this: the successor's next batch,
     * which {@link #openBatch()} takes over, ends with the sync that covers its commands too). A thread whose batch
     * another thread took over leaves the sync to that one.
     *
     * @return whether no sync was needed or the sync completed in time
     */
    synchronized boolean closeBatch() {
        if (batchOwner == Thread.currentThread()) {
            batchOwner = null;
        } else if (batchOwner != null) {
            return true; // the open batch of the thread that took over ends with a sync covering these
        }
        return unsynced == 0 || sync();
    }

    /** CMD_SYNCs issued (each batch of responses has one, each other command its own). */
    synchronized long syncs() {
        return syncs;
    }

    /** CMD_SYNCs that did not complete in time, and commands skipped in error. */
    synchronized long[] failures() {
        return new long[] {timeouts, errors};
    }

    private void putSync() {
        syncs++;
        put(Command.Sync.dw0(Command.Sync.CS_SEV, Command.Sync.SH_ISH, Command.Sync.MEMATTR_OIWB, 0), 0);
    }

    private void put(long dw0, long dw1) {
        long slot = entryZero + (long) QueuePointer.index(prod, log2) * Command.BYTES;
        memory.write64(slot, dw0);
        memory.write64(slot + 8, dw1);
        prod = QueuePointer.increment(prod, log2);
    }

    private boolean reserve(int entries) {
        long deadline = 0;
        boolean waiting = false;
        while (true) {
            int cons = consumer();
            if ((1 << log2) - QueuePointer.used(prod, cons, log2) >= entries) {
                return true;
            }
            if (!waiting) {
                // the clock is read only when the SMMU has not made room at once
                waiting = true;
                deadline = System.nanoTime() + timeoutNanos;
            }
            if (System.nanoTime() - deadline > 0) {
                timeouts++;
                log.error(prefix + "CMDQ timeout: no room for " + entries + " command(s)");
                return false;
            }
            Thread.onSpinWait();
        }
    }

    /** Waits for the CMD_SYNC just published: once it completes, every earlier command has completed too. */
    private boolean awaitSync() {
        if (!awaitDrained()) {
            return false;
        }
        unsynced = 0;
        return true;
    }

    private boolean awaitDrained() {
        if (QueuePointer.empty(prod, consumer(), log2)) {
            return true; // consumed at once: no clock to read
        }
        long deadline = System.nanoTime() + timeoutNanos;
        while (!QueuePointer.empty(prod, consumer(), log2)) {
            if (System.nanoTime() - deadline > 0) {
                timeouts++;
                log.error(prefix + "CMD_SYNC timeout at 0x" + Integer.toHexString(prod));
                return false;
            }
            Thread.onSpinWait();
        }
        return true;
    }

    /** CMDQ_CONS, after recovering from a command error if one is pending. */
    private int consumer() {
        int cons = smmu.read32(SmmuRegisters.CMDQ_CONS);
        int error = cons >>> SmmuRegisters.CMDQ_CONS_ERR_SHIFT & 0x7f;
        if (error != SmmuRegisters.CERROR_NONE) {
            skipError(cons, error);
            cons = smmu.read32(SmmuRegisters.CMDQ_CONS);
        }
        return cons;
    }

    /** Recovers from a command error, if the queue stopped on one (the GERROR.CMDQ_ERR path). */
    synchronized void recover() {
        consumer();
    }

    /** Linux {@code __arm_smmu_cmdq_skip_err}: report, replace an illegal command with CMD_SYNC, acknowledge. */
    synchronized void skipError(int cons, int error) {
        errors++;
        log.error(prefix + String.format("CMDQ error (cons 0x%08x): %s", cons,
                error < ERRORS.length ? ERRORS[error] : "Unknown"));
        long slot = entryZero + (long) QueuePointer.index(cons, log2) * Command.BYTES;
        if (error == SmmuRegisters.CERROR_ABT) {
            log.error(prefix + "retrying command fetch");
        } else {
            log.error(prefix + "skipping command in error state:");
            log.error(prefix + String.format("\t0x%016x", memory.read64(slot)));
            log.error(prefix + String.format("\t0x%016x", memory.read64(slot + 8)));
            memory.write64(slot, Command.Sync.dw0(Command.Sync.CS_SEV, Command.Sync.SH_ISH,
                    Command.Sync.MEMATTR_OIWB, 0));
            memory.write64(slot + 8, 0);
        }
        smmu.write32(SmmuRegisters.GERRORN, smmu.read32(SmmuRegisters.GERROR)); // acknowledge: consumption resumes
    }
}
