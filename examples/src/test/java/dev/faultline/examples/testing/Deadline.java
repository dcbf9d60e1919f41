package dev.faultline.examples.testing;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/** Waits for a condition another thread makes true, up to a deadline (no fixed sleeps). */
public final class Deadline {
    private Deadline() {
    }

    /**
     * Polls {@code condition} until it holds or {@code seconds} pass.
     *
     * @return whether it held in time
     */
    public static boolean await(BooleanSupplier condition, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.onSpinWait();
            Thread.yield();
        }
        return true;
    }
}
