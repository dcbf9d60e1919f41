package dev.faultline.drivers.remoteproc.internal;

/**
 * Bounds a crash loop: at most {@code maxRecoveries} automatic recoveries within any window of
 * {@code windowNanos}. A crash that would exceed the bound is not recovered; the processor stays
 * {@link dev.faultline.drivers.remoteproc.RprocState#CRASHED} until someone boots or recovers it by hand.
 * Linux has no such bound (a firmware that crashes at start is restarted forever).
 *
 * <p>Not thread-safe: used under the processor's lock.
 */
final class CrashLoopPolicy {
    private final int maxRecoveries;
    private final long windowNanos;
    private final long[] recoveries;
    private int next;
    private int recorded;

    /**
     * A policy allowing {@code maxRecoveries} per window; 0 allows any number.
     *
     * @throws IllegalArgumentException for a negative count or a non-positive window
     */
    CrashLoopPolicy(int maxRecoveries, long windowNanos) {
        if (maxRecoveries < 0 || windowNanos <= 0) {
            throw new IllegalArgumentException("crash-loop policy needs max recoveries >= 0 (0: unbounded) and a"
                    + " positive window, got " + maxRecoveries + " in " + windowNanos + " ns");
        }
        this.maxRecoveries = maxRecoveries;
        this.windowNanos = windowNanos;
        this.recoveries = new long[Math.max(maxRecoveries, 1)];
    }

    /** Whether a recovery may start at {@code nowNanos}. */
    boolean allows(long nowNanos) {
        return maxRecoveries == 0 || recentRecoveries(nowNanos) < maxRecoveries;
    }

    /** Records a recovery at {@code nowNanos}. */
    void recordRecovery(long nowNanos) {
        recoveries[next] = nowNanos;
        next = (next + 1) % recoveries.length;
        recorded = Math.min(recorded + 1, recoveries.length);
    }

    /** Forgets all recoveries (after a manual boot or recovery). */
    void reset() {
        recorded = 0;
        next = 0;
    }

    /** The recoveries recorded within the window ending at {@code nowNanos}. */
    int recentRecoveries(long nowNanos) {
        int count = 0;
        for (int i = 0; i < recorded; i++) {
            if (nowNanos - recoveries[i] < windowNanos) {
                count++;
            }
        }
        return count;
    }

    int maxRecoveries() {
        return maxRecoveries;
    }

    long windowNanos() {
        return windowNanos;
    }
}
