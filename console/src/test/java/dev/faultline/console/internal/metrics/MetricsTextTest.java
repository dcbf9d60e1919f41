package dev.faultline.console.internal.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.console.internal.state.GuestView;
import dev.faultline.console.internal.state.Observation;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;
import java.util.List;
import org.junit.jupiter.api.Test;

class MetricsTextTest {
    private static final FaultCounts COUNTS = FaultCounts.builder().reported(10).parked(1).dispatched(7).delivered(2).groups(7).answeredSuccess(5)
            .answeredInvalid(1).answeredFailure(1).build();

    private static Observation observation(String device, String handler) {
        return new Observation(0, COUNTS, List.of(new DeviceStatus(device, "smmuv3.0", true, 1, COUNTS)),
                List.of(HandlerStatus.builder().name(handler).bundle("b").serviceId(42).domains(List.of("d"))
                        .dispatch("queued").timeoutMillis(250).state(HandlerStatus.State.QUARANTINED)
                        .counts(COUNTS).answerLatency(HANDLER_LATENCY).build()), List.of(),
                List.of(new GuestView("vm1", GuestLimits.DEFAULT, GuestStatistics.builder().routed(3).delivered(2).pageRequestGroups(1).unrecoverable(1)
                        .lost(1).rateLimited(1).accepted(1).queued(2).pending(1).build())),
                List.of(IommuStatus.builder().name("smmuv3.0").connected(true).devices(1).faultRecordOverflows(2)
                        .pageRequestOverflows(1).build()),
                AnswerLatency.builder().samples(3).sumNanos(1_234_567).maxNanos(900_000).p50Nanos(15_000)
                        .p99Nanos(900_000).build());
    }

    private static final AnswerLatency HANDLER_LATENCY = AnswerLatency.builder().samples(2).sumNanos(40_000)
            .maxNanos(25_000).p50Nanos(15_000).p99Nanos(25_000).build();

    @Test
    void answerLatencyIsASummaryInSecondsAndOverflowsACounterPerIommuAndQueue() {
        List<String> lines = MetricsText.render(observation("0000:03:00.0", "pager"), false).lines().toList();

        assertThat(lines).contains("# TYPE faultline_answer_latency_seconds summary",
                "faultline_answer_latency_seconds{quantile=\"0.5\"} 0.000015",
                "faultline_answer_latency_seconds{quantile=\"0.99\"} 0.0009",
                "faultline_answer_latency_seconds_sum 0.001234567",
                "faultline_answer_latency_seconds_count 3",
                "faultline_answer_latency_max_seconds 0.0009",
                "# TYPE faultline_handler_answer_latency_seconds summary",
                "faultline_handler_answer_latency_seconds{handler=\"pager\",bundle=\"b\",service_id=\"42\","
                        + "quantile=\"0.99\"} 0.000025",
                "faultline_handler_answer_latency_seconds_count{handler=\"pager\",bundle=\"b\",service_id=\"42\"} 2",
                "faultline_iommu_connected{backend=\"smmuv3.0\"} 1",
                "# TYPE faultline_iommu_overflows_total counter",
                "faultline_iommu_overflows_total{backend=\"smmuv3.0\",queue=\"fault_records\"} 2",
                "faultline_iommu_overflows_total{backend=\"smmuv3.0\",queue=\"page_requests\"} 1");
        assertThat(MetricsText.seconds(0)).isEqualTo("0");
        assertThat(MetricsText.seconds(1_500_000_000L)).isEqualTo("1.5");
    }

    @Test
    void prometheusTextNamesCountersWithTotalAndLabelsEachSample() {
        List<String> lines = MetricsText.render(observation("0000:03:00.0", "pager"), false).lines().toList();

        assertThat(lines).contains("# TYPE faultline_answers_total counter",
                "faultline_answers_total{code=\"SUCCESS\"} 5",
                "faultline_fault_outcomes_total{outcome=\"dispatched\"} 7",
                "faultline_balanced 1",
                "faultline_device_answers_total{device=\"0000:03:00.0\",backend=\"smmuv3.0\",code=\"FAILURE\"} 1",
                "faultline_device_partials_parked{device=\"0000:03:00.0\",backend=\"smmuv3.0\"} 1",
                "faultline_handler_state{handler=\"pager\",bundle=\"b\",service_id=\"42\",state=\"QUARANTINED\"} 1",
                "faultline_handler_state{handler=\"pager\",bundle=\"b\",service_id=\"42\",state=\"ACTIVE\"} 0",
                "faultline_handler_deadline_milliseconds{handler=\"pager\",bundle=\"b\",service_id=\"42\","
                        + "dispatch=\"queued\"} 250",
                "faultline_guest_events_lost_total{guest=\"vm1\",reason=\"rate_limited\"} 1",
                "faultline_guest_queue_entries{guest=\"vm1\"} 2",
                "faultline_answered_by_core_total{reason=\"detach\"} 0",
                "faultline_guest_stale_walks_total{guest=\"vm1\"} 0",
                "faultline_guest_rate_limit_per_second{guest=\"vm1\"} 10000");
        assertThat(lines).doesNotContain("# EOF");
        // every sample belongs to a family declared before it
        String family = null;
        for (String line : lines) {
            if (line.startsWith("# TYPE ")) {
                family = line.split(" ")[2];
            } else if (!line.startsWith("#")) {
                assertThat(line).startsWith(family);
            }
        }
    }

    @Test
    void openMetricsDeclaresCounterFamiliesWithoutTotalAndEndsWithEof() {
        List<String> lines = MetricsText.render(observation("0000:03:00.0", "pager"), true).lines().toList();

        assertThat(lines).contains("# TYPE faultline_answers counter", "faultline_answers_total{code=\"SUCCESS\"} 5",
                "# TYPE faultline_groups_pending gauge");
        assertThat(lines.get(lines.size() - 1)).isEqualTo("# EOF");
        assertThat(MetricsText.wantsOpenMetrics("application/openmetrics-text; version=1.0.0")).isTrue();
        assertThat(MetricsText.wantsOpenMetrics("text/plain")).isFalse();
        assertThat(MetricsText.wantsOpenMetrics(null)).isFalse();
    }

    @Test
    void labelValuesAreEscaped() {
        String text = MetricsText.render(observation("0000:03:00.0", "a\"b\\c\nd"), false);

        assertThat(text).contains("handler=\"a\\\"b\\\\c\\nd\"");
    }
}
