package dev.faultline.core.internal.dispatch;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * Whether the idle threads of one core's queued handlers may spin while they wait for work, and how many at once.
 * A thread spins only while the queued handlers' threads all fit on the spare processors (one fewer than the
 * processors, the fault thread taking one): then each handler has a processor to spin on and the next group finds
 * its thread awake. With more queued handlers than that, an idle thread is seldom the next one needed, and its
 * spinning would take the processor the needed one must be woken onto; every idle thread then parks at once, and
 * the next offer to its queue unparks it. At most {@code limit} spin at once in any case.
 */
public final class SpinBudget {
    private final int limit;
    private final AtomicInteger spinning = new AtomicInteger();
    private final AtomicInteger threads = new AtomicInteger();

    /** At most {@code limit} threads spin at once (0: every idle thread parks at once). */
    public SpinBudget(int limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("limit must not be negative: " + limit);
        }
        this.limit = limit;
    }

    /** One fewer than this JVM's processors. */
    public static SpinBudget ofProcessors() {
        return new SpinBudget(Math.max(0, Runtime.getRuntime().availableProcessors() - 1));
    }

    /** A queued handler's thread started. */
    void joined() {
        threads.incrementAndGet();
    }

    /** A queued handler's thread stopped. */
    void left() {
        threads.decrementAndGet();
    }

    /**
     * Takes a share of the budget; {@code false} if there are more queued handlers' threads than the limit, or the
     * budget is spent (park instead). Paired with {@link #end()}.
     */
    boolean tryStart() {
        if (threads.get() > limit) {
            return false;
        }
        for (;;) {
            int n = spinning.get();
            if (n >= limit) {
                return false;
            }
            if (spinning.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    /** Gives back the share {@link #tryStart()} took. */
    void end() {
        spinning.decrementAndGet();
    }

    /** Threads spinning now. */
    int spinning() {
        return spinning.get();
    }
}
