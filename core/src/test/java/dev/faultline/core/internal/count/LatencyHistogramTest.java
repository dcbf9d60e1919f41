package dev.faultline.core.internal.count;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.AnswerLatency;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LatencyHistogramTest {

    @Test
    void everyValueFallsInABucketAtMostOneSixteenthOfItWide() {
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < 100_000; i++) {
            long v = random.nextLong(Long.MAX_VALUE) >>> random.nextInt(63);
            int index = LatencyHistogram.index(v);
            long upper = LatencyHistogram.upperBound(index);
            long lower = index == 0 ? 0 : LatencyHistogram.upperBound(index - 1) + 1;
            assertThat(v).isBetween(lower, upper);
            assertThat((double) (upper - lower)).isLessThanOrEqualTo(v / 16.0);
            assertThat(index).isLessThan(LatencyHistogram.BUCKETS);
        }
        assertThat(LatencyHistogram.index(Long.MAX_VALUE)).isEqualTo(LatencyHistogram.BUCKETS - 1);
        assertThat(LatencyHistogram.upperBound(LatencyHistogram.BUCKETS - 1)).isEqualTo(Long.MAX_VALUE);
        for (long v = 0; v < 32; v++) {
            assertThat(LatencyHistogram.upperBound(LatencyHistogram.index(v))).as("small values are exact")
                    .isEqualTo(v);
        }
    }

    @Test
    void percentilesAreExactWithinTheirBucket() {
        SplittableRandom random = new SplittableRandom(11);
        LatencyHistogram h = new LatencyHistogram();
        long[] values = new long[10_001];
        long sum = 0;
        for (int i = 0; i < values.length; i++) {
            values[i] = 1_000 + random.nextLong(5_000_000);
            h.record(values[i]);
            sum += values[i];
        }
        Arrays.sort(values);
        AnswerLatency latency = h.snapshot();
        assertThat(latency.samples()).isEqualTo(values.length);
        assertThat(latency.sumNanos()).isEqualTo(sum);
        assertThat(latency.maxNanos()).isEqualTo(values[values.length - 1]);
        long p50 = values[(int) Math.ceil(0.5 * values.length) - 1];
        long p99 = values[(int) Math.ceil(0.99 * values.length) - 1];
        assertThat(latency.p50Nanos()).isBetween(p50, p50 + p50 / 16);
        assertThat(latency.p99Nanos()).isBetween(p99, p99 + p99 / 16);
    }

    @Test
    void aFewSamplesGiveTheirOwnValuesAndNeverMoreThanTheMaximum() {
        LatencyHistogram h = new LatencyHistogram();
        assertThat(h.snapshot()).isEqualTo(AnswerLatency.none());
        h.record(12);
        h.record(3);
        h.record(-5);
        AnswerLatency latency = h.snapshot();
        assertThat(latency.samples()).isEqualTo(3);
        assertThat(latency.p50Nanos()).as("a negative latency counts as 0").isEqualTo(3);
        assertThat(latency.p99Nanos()).isEqualTo(12);
        h.record(1_000_003);
        assertThat(h.snapshot().p99Nanos()).as("the bucket's end, capped at the largest value")
                .isEqualTo(1_000_003);
    }
}
