package dev.faultline.shell.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LatencySampleTest {

    @Test
    void percentilesAreNearestRankOverWhatWasRecorded() {
        LatencySample sample = new LatencySample();
        for (long v = 100; v >= 1; v--) {
            sample.record(v * 1000);
        }

        assertThat(sample.count()).isEqualTo(100);
        assertThat(sample.percentile(50)).isEqualTo(50_000);
        assertThat(sample.percentile(99)).isEqualTo(99_000);
        assertThat(sample.max()).isEqualTo(100_000);
    }

    @Test
    void nothingRecordedIsZero() {
        LatencySample sample = new LatencySample();

        assertThat(sample.percentile(50)).isZero();
        assertThat(sample.max()).isZero();
    }

    @Test
    void keepsAUniformSampleBeyondItsCapacityAndTheExactMaximum() {
        LatencySample sample = new LatencySample();
        int n = 4 * LatencySample.CAPACITY;
        for (int i = 1; i <= n; i++) {
            sample.record(i);
        }

        assertThat(sample.count()).isEqualTo(n);
        assertThat(sample.max()).isEqualTo(n);
        // a uniform sample of 1..n: its median is near n/2 (well within 5 % for 65536 values)
        assertThat(sample.percentile(50)).isBetween((long) (n * 0.45), (long) (n * 0.55));
        assertThat(sample.percentile(99)).isGreaterThan((long) (n * 0.95));
    }
}
