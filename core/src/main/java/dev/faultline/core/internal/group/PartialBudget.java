package dev.faultline.core.internal.group;

import java.util.concurrent.atomic.AtomicInteger;

/** The bound on partial page requests parked over all devices: taken when one is parked, returned when it leaves. */
public final class PartialBudget {
    private final AtomicInteger parked = new AtomicInteger();
    private volatile int limit;

    public PartialBudget(int limit) {
        this.limit = limit;
    }

    public void setLimit(int newLimit) {
        limit = newLimit;
    }

    /** Takes one unit; {@code false} if the bound is reached. */
    boolean tryTake() {
        while (true) {
            int n = parked.get();
            if (n >= limit) {
                return false;
            }
            if (parked.compareAndSet(n, n + 1)) {
                return true;
            }
        }
    }

    void give(int n) {
        if (n > 0) {
            parked.addAndGet(-n);
        }
    }

    public int parked() {
        return parked.get();
    }
}
