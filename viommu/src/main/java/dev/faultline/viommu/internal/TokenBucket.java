package dev.faultline.viommu.internal;

import java.util.function.LongSupplier;

/**
 * A token bucket: {@code burst} tokens, refilled at {@code perSecond}; each fault takes one. A rate of 0 means
 * no limit. Integer arithmetic on an injectable nanosecond clock; no allocation.
 *
 * <p>Not thread-safe: the guest's lock guards it.
 */
final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private final LongSupplier clock;
    private final long nanosPerToken;
    private final long burst;
    private long tokens;
    private long lastRefill;

    TokenBucket(long perSecond, int burst, LongSupplier clock) {
        this.clock = clock;
        this.nanosPerToken = perSecond == 0 ? 0 : Math.max(1, NANOS_PER_SECOND / perSecond);
        this.burst = burst;
        this.tokens = burst;
        this.lastRefill = clock.getAsLong();
    }

    /** Takes a token if one is left after refilling for the time elapsed. */
    boolean tryTake() {
        if (nanosPerToken == 0) {
            return true;
        }
        long now = clock.getAsLong();
        long earned = (now - lastRefill) / nanosPerToken;
        if (earned > 0) {
            if (earned >= burst - tokens) {
                tokens = burst;
                lastRefill = now;
            } else {
                tokens += earned;
                lastRefill += earned * nanosPerToken;
            }
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
