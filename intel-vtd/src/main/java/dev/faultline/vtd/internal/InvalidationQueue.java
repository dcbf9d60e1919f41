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

    private boolean submit(long qw0, long qw1, long qw2, long qw3, boolean pageRequestDrain) {
        long deadline = ticker.getAsLong() + timeoutNanos;
        tail = unit.read64(RegisterMap.IQT) % size; // never behind the hardware's view of the queue
        while (free() < 3 * DESCRIPTOR) {
            if (!spin(deadline)) {
                return timedOut();
            }
        }
        write(tail, qw0, qw1, qw2, qw3);
        long waitAt = (tail + DESCRIPTOR) % size;
        memory.write32(statusWord, QI_IN_USE);
        InvalidationWait wait = InvalidationWait.statusWrite(statusWord, pageRequestDrain);
        write(waitAt, wait.qw0(), wait.qw1(), 0, 0);
        tail = (waitAt + DESCRIPTOR) % size;
        unit.write64(RegisterMap.IQT, tail);
        while (memory.read32(statusWord) != InvalidationWait.QI_DONE) {
            if (!spin(deadline)) {
                return timedOut();
            }
        }
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
            long head = unit.read64(RegisterMap.IQH) % size;
            log.invalidDescriptor(memory.read64(base + head), memory.read64(base + head + 8));
            write(head, NO_OP_WAIT, 0, 0, 0);
            errors++;
            unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_IQE);
        }
        Thread.onSpinWait();
        return ticker.getAsLong() - deadline < 0;
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
