package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private final AtomicLong now = new AtomicLong(1_000);

    private int takes(TokenBucket bucket, int attempts) {
        int taken = 0;
        for (int i = 0; i < attempts; i++) {
            if (bucket.tryTake()) {
                taken++;
            }
        }
        return taken;
    }

    @Test
    void givesTheBurstBackToBackThenRefuses() {
        TokenBucket bucket = new TokenBucket(10, 5, now::get);
        assertThat(takes(bucket, 100)).isEqualTo(5);
    }

    @Test
    void refillsOneTokenPerIntervalOfTheRate() {
        TokenBucket bucket = new TokenBucket(10, 5, now::get);
        takes(bucket, 5);
        now.addAndGet(99_999_999);
        assertThat(bucket.tryTake()).isFalse();
        now.addAndGet(1);
        assertThat(bucket.tryTake()).isTrue();
        assertThat(bucket.tryTake()).isFalse();
        now.addAndGet(350_000_000);
        assertThat(takes(bucket, 100)).isEqualTo(3);
    }

    @Test
    void neverHoldsMoreThanTheBurstHoweverLongItWasIdle() {
        TokenBucket bucket = new TokenBucket(1_000, 4, now::get);
        now.addAndGet(3_600_000_000_000L);
        assertThat(takes(bucket, 100)).isEqualTo(4);
    }

    @Test
    void keepsTheRemainderOfAPartlyElapsedInterval() {
        TokenBucket bucket = new TokenBucket(10, 2, now::get);
        takes(bucket, 2);
        now.addAndGet(150_000_000);
        assertThat(bucket.tryTake()).isTrue();
        now.addAndGet(50_000_000);
        assertThat(bucket.tryTake()).as("0.15 s + 0.05 s = two intervals in all").isTrue();
    }

    @Test
    void discardsTimeSpentFull() {
        TokenBucket bucket = new TokenBucket(10, 1, now::get);
        bucket.tryTake();
        now.addAndGet(150_000_000);
        assertThat(bucket.tryTake()).isTrue();
        now.addAndGet(50_000_000);
        assertThat(bucket.tryTake()).as("the bucket was full from 0.1 s on; the next token is due at 0.25 s").isFalse();
    }

    @Test
    void aRateOfZeroLimitsNothing() {
        TokenBucket bucket = new TokenBucket(0, 1, now::get);
        assertThat(takes(bucket, 100_000)).isEqualTo(100_000);
    }
}
