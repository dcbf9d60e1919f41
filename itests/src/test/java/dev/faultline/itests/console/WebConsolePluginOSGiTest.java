package dev.faultline.itests.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.itests.Services;
import dev.faultline.platform.machine.Machine;
import dev.faultline.viommu.VirtualIommus;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The Faultline page of the Felix Web Console, over HTTP, behind the Web Console's authentication. */
class WebConsolePluginOSGiTest {
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            "admin:admin".getBytes(StandardCharsets.UTF_8));

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    VirtualIommus viommus;

    @InjectService
    Machine machine;

    @InjectService
    ConfigurationAdmin admin;

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(String path, boolean authenticated) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context)
                + "system/console/faultline" + path));
        if (authenticated) {
            request.header("Authorization", AUTH);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context)
                + "system/console/faultline/action")).header("Authorization", AUTH)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The text of the cell {@code key} in the row {@code row} of a page's table. */
    private static String cell(String page, String row, String key) {
        int at = page.indexOf("<tr data-row='" + row + "'>");
        assertThat(at).as("row " + row).isNotNegative();
        String tr = page.substring(at, page.indexOf("</tr>", at));
        Matcher m = Pattern.compile("data-key='" + key + "'>([^<]*)<").matcher(tr);
        assertThat(m.find()).as("cell " + key + " of " + row).isTrue();
        return m.group(1);
    }

    @Test
    void thePagesNeedTheWebConsolesLoginAndShowTheScenariosFigures() throws Exception {
        try (KnownScenario s = new KnownScenario(context, pipeline, viommus, machine, "web", 4)) {
            assertThat(get("", false).statusCode()).isEqualTo(401);

            HttpResponse<String> live = get("", true);
            assertThat(live.statusCode()).isEqualTo(200);
            assertThat(live.body()).contains("id='fl-faults'", "id='fl-answers'", "id='fl-totals'",
                    "/system/console/faultline/res/live.js");

            String devices = get("/devices", true).body();
            assertThat(cell(devices, s.device, "reported")).isEqualTo("4");
            assertThat(cell(devices, s.device, "success")).isEqualTo("2");
            assertThat(cell(devices, s.device, "invalid")).isEqualTo("1");
            assertThat(cell(devices, s.guestDevice, "pending")).isEqualTo("1");

            String handlers = get("/handlers", true).body();
            assertThat(cell(handlers, s.handler, "state")).isEqualTo("ACTIVE");
            assertThat(cell(handlers, s.handler, "reported")).isEqualTo("3");

            String guests = get("/guests", true).body();
            assertThat(cell(guests, s.guest, "queue")).isEqualTo("1 / 8");
            assertThat(cell(guests, s.guest, "routed")).isEqualTo("1");
            assertThat(cell(guests, s.guest, "lost")).isEqualTo("0");
            assertThat(cell(guests, s.guest, "rate")).isEqualTo("none");

            assertThat(cell(get("/iommus", true).body(), s.backend, "reported")).isEqualTo("5");
            assertThat(get("/pending", true).body()).contains("id='fl-pending'");
            assertThat(get("/domains", true).body()).contains("<tr data-row='" + s.guest + "-dom'>");

            HttpResponse<String> data = get("/data.json", true);
            assertThat(data.headers().firstValue("Content-Type")).hasValueSatisfying(
                    t -> assertThat(t).startsWith("application/json"));
            assertThat(data.body()).contains("\"faults\":{\"groups\":", "\"answers\":{\"SUCCESS\":",
                    "\"balanced\":");
            assertThat(get("/res/live.js", true).body()).contains("faultlineLive");
            assertThat(get("/no-such-tab", true).statusCode()).isEqualTo(404);
        }
    }

    @Test
    void actionsArePostsCarryingThePagesTokenAndAGetChangesNothing() throws Exception {
        assertThat(post("action=swap&target=1").statusCode()).isEqualTo(403);
        assertThat(post("action=swap&target=1&token=forged").statusCode()).isEqualTo(403);
        assertThat(get("/action?action=swap&target=1", true).statusCode()).isEqualTo(404);

        Matcher token = Pattern.compile("data-token='([0-9a-f]{32})'").matcher(get("/iommus", true).body());
        assertThat(token.find()).isTrue();
        HttpResponse<String> swap = post("action=swap&target=999999&token=" + token.group(1));
        assertThat(swap.statusCode()).isEqualTo(302);
        assertThat(swap.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                .contains("/system/console/faultline/iommus?done=").contains("not+a+running+backend"));
    }

    @Test
    void theSwapButtonSwapsABackendAsFaultlineSwapDoesWithoutRestartingTheShellOrTheDrivers() throws Exception {
        OwnVtdUnit.deploy(context, admin);
        Bundle backend = Arrays.stream(context.getBundles())
                .filter(b -> "dev.faultline.intel-vtd".equals(b.getSymbolicName())).findFirst().orElseThrow();
        Bundle shell = Arrays.stream(context.getBundles())
                .filter(b -> "dev.faultline.shell".equals(b.getSymbolicName())).findFirst().orElseThrow();
        long revisionBefore = backend.getLastModified();
        List<String> stopped = new CopyOnWriteArrayList<>();
        BundleListener listener = event -> {
            if (event.getType() == BundleEvent.STOPPED) {
                stopped.add(event.getBundle().getSymbolicName());
            }
        };
        context.addBundleListener(listener);
        try {
            String iommus = get("/iommus", true).body();
            assertThat(iommus).contains("Swap (stop, update with its running content, start)");
            Matcher token = Pattern.compile("data-token='([0-9a-f]{32})'").matcher(iommus);
            assertThat(token.find()).isTrue();
            Services.await(() -> {
                try {
                    return !get("/data.json", true).body().contains("running\"");
                } catch (Exception e) {
                    return false;
                }
            });
            HttpResponse<String> swap = post("action=swap&target=" + backend.getBundleId() + "&token="
                    + token.group(1));
            assertThat(swap.headers().firstValue("Location")).hasValueSatisfying(l -> assertThat(l)
                    .contains("swap+of+dev.faultline.intel-vtd+started"));
            String[] status = new String[1];
            Services.await(() -> {
                try {
                    status[0] = get("/data.json", true).body();
                } catch (Exception e) {
                    return false;
                }
                return status[0].contains("swapped dev.faultline.intel-vtd") || status[0].contains("failed");
            });
            assertThat(status[0]).contains("swapped dev.faultline.intel-vtd [" + backend.getBundleId() + "]",
                    "ACTIVE, without a refresh");
        } finally {
            context.removeBundleListener(listener);
        }
        assertThat(backend.getLastModified()).as("updated").isGreaterThanOrEqualTo(revisionBefore);
        assertThat(backend.getState()).isEqualTo(Bundle.ACTIVE);
        assertThat(stopped).as("only the backend stopped: no refresh restarted its importers")
                .containsExactly("dev.faultline.intel-vtd");
        assertThat(shell.getState()).isEqualTo(Bundle.ACTIVE);
    }
}
