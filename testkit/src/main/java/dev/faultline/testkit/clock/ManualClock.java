package dev.faultline.testkit.clock;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * A nanosecond clock that moves only when a test moves it: pass it where code takes a
 * {@code LongSupplier} ticker in place of {@link System#nanoTime()} (rate limiters, crash-loop windows,
 * deadlines), then {@link #advance} it past the boundary a test is about. Reading allocates nothing; safe to
 * read and advance from any thread.
 */
public final class ManualClock implements LongSupplier {
    private final AtomicLong now;

    private ManualClock(long startNanos) {
        this.now = new AtomicLong(startNanos);
    }

    /**
     * A clock standing at {@code startNanos}. Like {@code System.nanoTime()} the origin means nothing; a start far
     * from zero catches code that takes 0 for "never".
     */
    public static ManualClock at(long startNanos) {
        return new ManualClock(startNanos);
    }

    /** A clock standing at one second (any origin serves; this one is not 0). */
    public static ManualClock start() {
        return at(Duration.ofSeconds(1).toNanos());
    }

    /** The current reading in nanoseconds. */
    public long nanos() {
        return now.get();
    }

    /** The current reading in nanoseconds (the {@code LongSupplier} view). */
    @Override
    public long getAsLong() {
        return now.get();
    }

    /**
     * Moves the clock forward.
     *
     * @return the new reading
     * @throws IllegalArgumentException if {@code step} is negative: a monotonic clock never goes back
     */
    public long advance(Duration step) {
        return advanceNanos(step.toNanos());
    }

    /**
     * Moves the clock forward by {@code nanos}.
     *
     * @return the new reading
     * @throws IllegalArgumentException if {@code nanos} is negative
     */
    public long advanceNanos(long nanos) {
        if (nanos < 0) {
            throw new IllegalArgumentException("a monotonic clock never goes back: advance by " + nanos + " ns");
        }
        return now.addAndGet(nanos);
    }

    @Override
    public String toString() {
        return "ManualClock[" + now.get() + " ns]";
    }
}
