package dev.faultline.benchmarks;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * A bounded ring of lane numbers: the threads that complete faults (the driver's fault thread, inside its response
 * commands) put a lane in, one consumer (the benchmark thread) takes lanes out. The consumer spins briefly, then
 * parks until a producer unparks it (METHOD.md §6: spinning alone would take the core its producer needs). The ring
 * holds at least as many slots as there are lanes, so a put never waits. Allocates nothing.
 */
final class Completions {
    private static final int SPINS = 200;

    private final int[] lanes;
    private final int mask;
    /** Slots claimed by producers. */
    private final AtomicLong claimed = new AtomicLong();
    /** Slots written and visible to the consumer, in order. */
    private final AtomicLong published = new AtomicLong();
    private long taken;
    private volatile Thread parked;

    /** A ring for at most {@code capacity} lanes in flight. */
    Completions(int capacity) {
        int size = Integer.highestOneBit(Math.max(capacity, 2) - 1) << 1;
        lanes = new int[size];
        mask = size - 1;
    }

    /** Puts {@code lane}; wakes the consumer if it parked. */
    void put(int lane) {
        long slot = claimed.getAndIncrement();
        lanes[(int) (slot & mask)] = lane;
        while (published.get() != slot) { // an earlier producer's slot is written first (one producer here)
            Thread.onSpinWait();
        }
        published.set(slot + 1);
        Thread waiter = parked;
        if (waiter != null) {
            LockSupport.unpark(waiter);
        }
    }

    /**
     * Takes the next lane, waiting at most {@code timeoutNanos}.
     *
     * @return the lane, or -1 if none arrived in time
     */
    int take(long timeoutNanos) {
        if (published.get() == taken) {
            long deadline = 0;
            for (int spin = 0; published.get() == taken; spin++) {
                if (spin < SPINS) {
                    Thread.onSpinWait();
                    continue;
                }
                if (deadline == 0) {
                    deadline = System.nanoTime() + timeoutNanos;
                }
                parked = Thread.currentThread();
                if (published.get() == taken) {
                    LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(1));
                }
                parked = null;
                if (System.nanoTime() - deadline > 0 && published.get() == taken) {
                    return -1;
                }
            }
        }
        int lane = lanes[(int) (taken & mask)];
        taken++;
        return lane;
    }
}
