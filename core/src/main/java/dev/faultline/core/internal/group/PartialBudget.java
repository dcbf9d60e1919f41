package dev.faultline.core.internal.group;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The bounds on parked partial page requests ({@code partials.per.device}, {@code partials.total}): the total is
 * taken when a request is parked and returned when it leaves; both bounds follow the configuration.
 */
public final class PartialBudget {
    private final AtomicInteger parked = new AtomicInteger();
    private volatile int perDevice;
    private volatile int limit;

    public PartialBudget(int perDevice, int limit) {
        this.perDevice = perDevice;
        this.limit = limit;
    }

    /** Applies new bounds; partials parked beyond them stay until their group forms or they are discarded. */
    public void setLimits(int newPerDevice, int newLimit) {
        perDevice = newPerDevice;
        limit = newLimit;
    }

    /** Partial requests one device may park. */
    int perDevice() {
        return perDevice;
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

    /** Partial requests parked over all devices now. */
    public int parked() {
        return parked.get();
    }

    /** Which bound a device with {@code parkedHere} partials reached, as the configuration names it. */
    String boundReached(int parkedHere) {
        int device = perDevice;
        return parkedHere >= device ? "partials.per.device (" + device + ")" : "partials.total (" + limit + ")";
    }
}
