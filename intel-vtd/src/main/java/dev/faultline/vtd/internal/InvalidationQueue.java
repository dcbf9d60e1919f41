package dev.faultline.vtd.internal;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.InvalidationWait;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import java.util.function.LongSupplier;

/**
 * The driver's side of the invalidation queue, as Linux's {@code qi_submit_sync} uses it (intel/dmar.c;
 * VT-d spec): each submission writes its descriptor and an invalidation wait with status write at the tail,
 * moves IQT, and polls the status word until the unit writes {@code QI_DONE}. 256-bit descriptors in an
 * 8 KiB queue (DW = 1, QS = 1), as Linux programs it in scalable mode.
 *
 * <p><b>Response batches.</b> While the interrupt thread handles a drained batch of page requests it holds a batch
 * open ({@link #openBatch()}): the page group responses it writes meanwhile ({@link #submitResponse}) move IQT at
 * once (the device gets its response without waiting for the batch) but carry no wait of their own, and
 * {@link #closeBatch()} submits one invalidation wait for all of them when the drained batch ends, as
 * {@code qi_submit_sync} takes several descriptors and one wait. A response from any other thread is a batch of
 * one (descriptor and wait). Nothing waits on a timer.
 *
 * <p>If the unit reports an invalidation queue error, the descriptor at IQH is replaced by a wait without
 * status write and IQE is cleared, as {@code qi_check_fault} does; the lost descriptor is counted and logged.
 * Each submission starts at the IQT register, so it never overwrites a descriptor the unit has not fetched.
 *
 * <p>Thread-safe: submissions are serialized (Linux's {@code qi->q_lock}); none allocates.
 */
final class InvalidationQueue {
    /** Linux's {@code QI_IN_USE}. */
    private static final int QI_IN_USE = 1;
    private static final int DESCRIPTOR = 32;
    private static final int QUEUE_ORDER = 1;
    /** An invalidation wait (type 0x5) with no flags: completes and does nothing (VT-d invalidation descriptors). */
    private static final long NO_OP_WAIT = 0x5;
    /** {@code QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_FENCE | QI_IWD_TYPE}: the fence that starts a PASID drain. */
    private static final long FENCED_WAIT = (long) InvalidationWait.QI_DONE << 32 | 1 << 6 | 0x5;

    private final RemappingUnit unit;
    private final PhysicalMemory memory;
    private final DmarLog log;
    private final LongSupplier ticker;
    private final long timeoutNanos;
    private final long statusWord;
    /** {@code QI_IWD_STATUS_DATA(QI_DONE) | QI_IWD_STATUS_WRITE | QI_IWD_TYPE}, and with PD: built once. */
    private final InvalidationWait statusWait;
    private final InvalidationWait drainWait;
    /** The thread whose response batch is open, or null. */
    private Thread batchOwner;
    /** Descriptors submitted since the last wait that completed (a wait completes after every earlier one). */
    private int unwaited;
    private long waits;
    private long base;
    private long size;
    private long tail;
    private long timeouts;
    private long errors;

    InvalidationQueue(RemappingUnit unit, FrameAllocator allocator, DmarLog log, LongSupplier ticker,
            long timeoutNanos) {
        this.unit = unit;
        this.memory = allocator.memory();
        this.log = log;
        this.ticker = ticker;
        this.timeoutNanos = timeoutNanos;
        this.statusWord = allocator.allocate(8, 8);
        this.statusWait = InvalidationWait.statusWrite(statusWord, false);
        this.drainWait = InvalidationWait.statusWrite(statusWord, true);
        if ((unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_QIE) != 0) {
            // Taking over a running unit: keep its queue and continue at its tail.
            long iqa = unit.read64(RegisterMap.IQA);
            base = iqa & RegisterMap.QUEUE_BASE_MASK;
            size = 4096L << (iqa & RegisterMap.QUEUE_SIZE_MASK);
            tail = unit.read64(RegisterMap.IQT) % size;
            if ((iqa & RegisterMap.IQA_DW) == 0) {
                throw new IllegalStateException(unit.name() + ": running invalidation queue uses 128-bit descriptors;"
                        + " scalable mode needs 256-bit ones");
            }
        } else {
            size = 4096L << QUEUE_ORDER;
            base = allocator.allocate(size, 4096);
            tail = 0;
            unit.write64(RegisterMap.IQT, 0);
            unit.write64(RegisterMap.IQA, base | RegisterMap.IQA_DW | QUEUE_ORDER);
            unit.write32(RegisterMap.GCMD, unit.read32(RegisterMap.GSTS) | RegisterMap.GCMD_QIE);
        }
    }

    /**
     * Submits one 256-bit descriptor followed by a wait, and waits for the wait to complete.
     *
     * @return whether it completed before the timeout
     */
    synchronized boolean submit(long qw0, long qw1, long qw2, long qw3) {
        return submit(qw0, qw1, qw2, qw3, false);
    }

    /**
     * Linux's page-request drain ({@code intel_iommu_drain_pasid_prq}, VT-d spec 7.10): a fenced wait, then a
     * wait with status write and PD, which completes only after every page request the unit received before it
     * is in the page request queue.
     *
     * @return whether it completed before the timeout
     */
    synchronized boolean drainPageRequests() {
        return submit(FENCED_WAIT, 0, 0, 0, true);
    }

    /** Opens a response batch for the calling thread (the interrupt thread, before it handles a drained batch). */
    synchronized void openBatch() {
        batchOwner = Thread.currentThread();
    }

    /**
     * Submits a page group response: at once, with the wait of the caller's open batch, or, from a thread without
     * an open batch, with a wait of its own that it waits for.
     *
     * @return whether the descriptor was queued (and, without a batch, its wait completed in time)
     */
    synchronized boolean submitResponse(long qw0, long qw1, long qw2, long qw3) {
        if (batchOwner != Thread.currentThread()) {
            return submit(qw0, qw1, qw2, qw3, false);
        }
        tail = unit.read64(RegisterMap.IQT) % size;
        if (free() < 3 * DESCRIPTOR) { // room for it and the batch's closing wait; the clock only when full
            long deadline = ticker.getAsLong() + timeoutNanos;
            while (free() < 3 * DESCRIPTOR) {
                if (!spin(deadline)) {
                    return timedOut();
                }
            }
        }
        write(tail, qw0, qw1, qw2, qw3);
        tail = (tail + DESCRIPTOR) % size;
        unit.write64(RegisterMap.IQT, tail);
        unwaited++;
        if ((unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_IQE) != 0) {
            recoverFromError(); // as at once as without a batch: those behind it are processed now
        }
        return true;
    }

    /**
     * Closes the calling thread's batch: one invalidation wait for every descriptor submitted since the last wait,
     * if any. A thread whose batch another thread took over (an interrupt thread a handler held) leaves the wait to
     * that one.
     *
     * @return whether no wait was needed or it completed in time
     */
    synchronized boolean closeBatch() {
        if (batchOwner == Thread.currentThread()) {
            batchOwner = null;
        } else if (batchOwner != null) {
            return true; // the open batch of the thread that took over ends with a wait covering these
        }
        if (unwaited == 0) {
            return true;
        }
        tail = unit.read64(RegisterMap.IQT) % size;
        return submitWait(statusWait, ticker.getAsLong() + timeoutNanos);
    }

    /** Invalidation waits submitted (one per batch of responses, one per other descriptor). */
    synchronized long waits() {
        return waits;
    }

    private boolean submit(long qw0, long qw1, long qw2, long qw3, boolean pageRequestDrain) {
        long deadline = ticker.getAsLong() + timeoutNanos;
        tail = unit.read64(RegisterMap.IQT) % size; // never behind the hardware's view of the queue
        while (free() < 3 * DESCRIPTOR) {
            if (!spin(deadline)) {
                return timedOut();
            }
        }
        write(tail, qw0, qw1, qw2, qw3);
        tail = (tail + DESCRIPTOR) % size;
        return submitWait(pageRequestDrain ? drainWait : statusWait, deadline);
    }

    /**
     * Writes {@code wait} at the driver's tail (after any descriptor written there and not yet published), moves IQT
     * and polls the status word until the unit writes QI_DONE.
     */
    private boolean submitWait(InvalidationWait wait, long deadline) {
        while (free() < 2 * DESCRIPTOR) {
            if (!spin(deadline)) {
                return timedOut();
            }
        }
        memory.write32(statusWord, QI_IN_USE);
        write(tail, wait.qw0(), wait.qw1(), 0, 0);
        tail = (tail + DESCRIPTOR) % size;
        waits++;
        unit.write64(RegisterMap.IQT, tail);
        while (memory.read32(statusWord) != InvalidationWait.QI_DONE) {
            if (!spin(deadline)) {
                return timedOut();
            }
        }
        unwaited = 0;
        return true;
    }

    /** Invalidation waits that did not complete in time. */
    synchronized long timeouts() {
        return timeouts;
    }

    /** Descriptors the unit rejected (IQE). */
    synchronized long errors() {
        return errors;
    }

    private long free() {
        long head = unit.read64(RegisterMap.IQH) % size;
        return size - (tail - head + size) % size;
    }

    /** One polling step: handles IQE, then reports whether the deadline is still ahead. */
    private boolean spin(long deadline) {
        if ((unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_IQE) != 0) {
            recoverFromError();
        }
        Thread.onSpinWait();
        return ticker.getAsLong() - deadline < 0;
    }

    /** {@code qi_check_fault}: the descriptor at IQH becomes a no-op wait, IQE is cleared, the unit goes on. */
    private void recoverFromError() {
        long head = unit.read64(RegisterMap.IQH) % size;
        log.invalidDescriptor(memory.read64(base + head), memory.read64(base + head + 8));
        write(head, NO_OP_WAIT, 0, 0, 0);
        errors++;
        unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_IQE);
    }

    private boolean timedOut() {
        timeouts++;
        log.problem("DMAR: " + unit.name() + ": invalidation wait timed out; the queued descriptor may be lost");
        return false;
    }

    private void write(long offset, long qw0, long qw1, long qw2, long qw3) {
        long at = base + offset;
        memory.write64(at + 8, qw1);
        memory.write64(at + 16, qw2);
        memory.write64(at + 24, qw3);
        memory.write64(at, qw0);
    }
}
