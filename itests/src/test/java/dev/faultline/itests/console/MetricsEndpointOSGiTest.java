package dev.faultline.itests.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.platform.machine.Machine;
import dev.faultline.viommu.VirtualIommus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The console's /metrics servlet on the framework's HTTP service, after a scenario whose figures are known. */
class MetricsEndpointOSGiTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    VirtualIommus viommus;

    @InjectService
    Machine machine;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String accept) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context) + "metrics"));
        if (accept != null) {
            request.header("Accept", accept);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theMetricsTextNamesEveryFigureOfTheScenarioWithItsLabels() throws Exception {
        try (KnownScenario s = new KnownScenario(context, pipeline, viommus, machine, "metrics", 1)) {
            HttpResponse<String> response = get(null);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("text/plain; version=0.0.4"));
            List<String> lines = response.body().lines().toList();
            String device = "device=\"" + s.device + "\",backend=\"" + s.backend + "\"";
            String handler = "handler=\"" + s.handler + "\",bundle=\"dev.faultline.itests-tests\",service_id=\""
                    + s.handlerServiceId + "\"";
            String guest = "guest=\"" + s.guest + "\"";
            assertThat(lines).contains(
                    "# TYPE faultline_faults_reported_total counter",
                    "# TYPE faultline_device_answers_total counter",
                    "# TYPE faultline_groups_pending gauge",
                    "faultline_device_faults_reported_total{" + device + "} 4",
                    "faultline_device_fault_outcomes_total{" + device + ",outcome=\"parked\"} 1",
                    "faultline_device_fault_outcomes_total{" + device + ",outcome=\"dispatched\"} 3",
                    "faultline_device_groups_total{" + device + "} 3",
                    "faultline_device_answers_total{" + device + ",code=\"SUCCESS\"} 2",
                    "faultline_device_answers_total{" + device + ",code=\"INVALID\"} 1",
                    "faultline_device_answers_total{" + device + ",code=\"FAILURE\"} 0",
                    "faultline_device_groups_pending{" + device + "} 0",
                    "faultline_device_present{" + device + "} 1",
                    "faultline_handler_faults_reported_total{" + handler + "} 3",
                    "faultline_handler_answers_total{" + handler + ",code=\"SUCCESS\"} 2",
                    "faultline_handler_answers_total{" + handler + ",code=\"INVALID\"} 1",
                    "faultline_handler_state{" + handler + ",state=\"ACTIVE\"} 1",
                    "faultline_handler_state{" + handler + ",state=\"QUARANTINED\"} 0",
                    "faultline_handler_deadline_milliseconds{" + handler + ",dispatch=\"inline\"} 1000",
                    "faultline_guest_faults_routed_total{" + guest + "} 1",
                    "faultline_guest_events_delivered_total{" + guest + ",kind=\"page_request_group\"} 1",
                    "faultline_guest_events_lost_total{" + guest + ",reason=\"rate_limited\"} 0",
                    "faultline_guest_queue_entries{" + guest + "} 1",
                    "faultline_guest_groups_pending{" + guest + "} 1",
                    "faultline_guest_queue_depth{" + guest + "} 8",
                    "faultline_guest_rate_limit_per_second{" + guest + "} 0",
                    "faultline_device_groups_pending{device=\"" + s.guestDevice + "\",backend=\"" + s.backend
                            + "\"} 1");
            // the totals are the sum over devices, so they are at least this scenario's figures
            assertThat(value(lines, "faultline_faults_reported_total")).isGreaterThanOrEqualTo(5);
            assertThat(value(lines, "faultline_answers_total{code=\"SUCCESS\"}")).isGreaterThanOrEqualTo(2);
            assertThat(response.body()).doesNotContain("# EOF");
        }
    }

    @Test
    void openMetricsIsServedWhenAskedForAndNothingIsWrittenByOtherMethods() throws Exception {
        try (KnownScenario s = new KnownScenario(context, pipeline, viommus, machine, "openmetrics", 2)) {
            HttpResponse<String> response = get("application/openmetrics-text; version=1.0.0");
            assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/openmetrics-text"));
            List<String> lines = response.body().lines().toList();
            assertThat(lines).contains("# TYPE faultline_device_answers counter",
                    "faultline_device_answers_total{device=\"" + s.device + "\",backend=\"" + s.backend
                            + "\",code=\"SUCCESS\"} 2");
            assertThat(lines.get(lines.size() - 1)).isEqualTo("# EOF");

            HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context)
                    + "metrics")).POST(HttpRequest.BodyPublishers.ofString("x")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
        }
    }

    private static long value(List<String> lines, String series) {
        return lines.stream().filter(l -> l.startsWith(series + " ")).mapToLong(
                l -> Long.parseLong(l.substring(series.length() + 1))).findFirst()
                .orElseThrow(() -> new AssertionError("no sample " + series));
    }
}
