package dev.faultline.core.log;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {
    private final AtomicLong now = new AtomicLong(42);
    private final RateLimiter limiter = new RateLimiter(3, 100, now::get);

    @Test
    void passesABurstPerIntervalAndCountsTheRest() {
        int passed = 0;
        for (int i = 0; i < 10; i++) {
            passed += limiter.tryAcquire() ? 1 : 0;
        }

        assertThat(passed).isEqualTo(3);
        assertThat(limiter.suppressedInWindow()).isEqualTo(7);
        assertThat(limiter.takeSuppressed()).isZero();
    }

    @Test
    void warnsHowManyCallbacksWereSuppressedBeforeTheFirstLineOfANewWindowAsLinuxDoes() {
        List<String> lines = new ArrayList<>();
        LogSink log = LogSink.of(e -> lines.add("ERROR " + e), w -> lines.add("WARN " + w), i -> lines.add("INFO " + i));
        for (int i = 0; i < 5; i++) {
            if (limiter.tryAcquire(log, "arm_smmu_evtq_thread")) {
                lines.add("line " + i);
            }
        }
        now.addAndGet(101);
        assertThat(limiter.tryAcquire(log, "arm_smmu_evtq_thread")).isTrue();
        assertThat(limiter.tryAcquire(log, "arm_smmu_evtq_thread")).as("reported once").isTrue();

        assertThat(lines).containsExactly("line 0", "line 1", "line 2",
                "WARN arm_smmu_evtq_thread: 2 callbacks suppressed");
    }

    @Test
    void opensANewWindowAfterTheIntervalAndReportsWhatWasSuppressed() {
        for (int i = 0; i < 5; i++) {
            limiter.tryAcquire();
        }
        now.addAndGet(99);
        assertThat(limiter.tryAcquire()).isFalse();

        now.addAndGet(1); // exactly the interval: still the same window (Linux waits for a later jiffy)
        assertThat(limiter.tryAcquire()).isFalse();

        now.addAndGet(1);
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(limiter.takeSuppressed()).isEqualTo(4);
        assertThat(limiter.takeSuppressed()).isZero();
    }

    @Test
    void aZeroIntervalNeverLimitsAndAZeroBurstAlwaysDoes() {
        RateLimiter open = new RateLimiter(0, 0, now::get);
        RateLimiter shut = new RateLimiter(0, 100, now::get);

        assertThat(open.tryAcquire()).isTrue();
        assertThat(shut.tryAcquire()).isFalse();
    }

    @Test
    void linuxDefaultIsTenPerFiveSeconds() {
        RateLimiter linux = RateLimiter.linuxDefault();
        int passed = 0;
        for (int i = 0; i < 20; i++) {
            passed += linux.tryAcquire() ? 1 : 0;
        }
        assertThat(passed).isEqualTo(10);
        assertThat(RateLimiter.DEFAULT_INTERVAL_NANOS).isEqualTo(5_000_000_000L);
    }

    @Test
    void refusesNegativeLimits() {
        assertThatThrownBy(() -> new RateLimiter(-1, 10, now::get)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new RateLimiter(1, -10, now::get)).isInstanceOf(IllegalArgumentException.class);
    }
}
