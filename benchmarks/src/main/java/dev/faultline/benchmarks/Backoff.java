package dev.faultline.benchmarks;

import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;

/**
 * How a producer waits for a consumer on a 2-core machine: spin briefly, then yield the core
 * (METHOD.md §6: a thread that only spins starves the thread it waits for).
 */
final class Backoff {
    private static final int SPINS = 100;

    private Backoff() {
    }

    /** The wait strategy's step for the {@code attempt}-th unsuccessful check. */
    static void pause(int attempt) {
        if (attempt < SPINS) {
            Thread.onSpinWait();
        } else {
            Thread.yield();
        }
    }

    /**
     * Waits until {@code condition} holds.
     *
     * @throws TimeoutException if it does not within {@code timeoutNanos}
     */
    static void await(BooleanSupplier condition, long timeoutNanos, String what) throws TimeoutException {
        long deadline = System.nanoTime() + timeoutNanos;
        for (int attempt = 0; !condition.getAsBoolean(); attempt++) {
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException(what);
            }
            pause(attempt);
        }
    }
}
