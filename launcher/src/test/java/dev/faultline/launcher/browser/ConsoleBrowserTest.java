package dev.faultline.launcher.browser;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The console in a real browser: the packaged launcher runs its shell with the console on an ephemeral port,
 * headless Chromium (from the operating system's packages; {@code .ci/browser-test} installs it where missing)
 * opens the Faultline page of the Web Console with its login, presses "Run the demo", and the test checks that the
 * live totals and the chart show the demo's figures (as the demo's own summary prints them), that the devices and
 * handlers tables agree with the core's metrics, and keeps screenshots in {@code target/browser}.
 *
 * <p>Runs in the {@code browser} profile only ({@code ./mvnw -B verify -pl launcher -Pbrowser}), after packaging.
 */
class ConsoleBrowserTest {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            "admin:admin".getBytes(StandardCharsets.UTF_8));

    private static Path chromium() {
        String configured = System.getProperty("faultline.chromium", "");
        for (String candidate : List.of(configured, "/usr/bin/chromium", "/usr/bin/chromium-browser")) {
            if (!candidate.isEmpty() && Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new AssertionError("no Chromium: install it (apt-get install -y chromium) or run .ci/browser-test,"
                + " which does; -Dfaultline.chromium=<path> names another");
    }

    /** The demo summary's figure in the row {@code label}, e.g. "faults reported". */
    private static long summary(String out, String label) {
        Matcher m = Pattern.compile("^\\s+" + Pattern.quote(label) + "\\s+(\\d+)$", Pattern.MULTILINE).matcher(out);
        assertThat(m.find()).as("the demo summary has '" + label + "':\n" + out).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void theConsoleShowsTheDemosFiguresInItsTablesAndChart() throws Exception {
        Path target = Path.of(System.getProperty("faultline.target", "target"));
        Path work = Files.createDirectories(target.resolve("browser"));
        Path jar = Path.of(System.getProperty("faultline.jar"));
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port;
        Path out = work.resolve("launcher.out");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Dorg.osgi.service.http.port=" + port, "-jar", jar.toString(), "--config",
                jar.getParent().getParent().resolve("conf/faultline.conf").toString()));
        Process launcher = new ProcessBuilder(command).redirectOutput(out.toFile())
                .redirectError(work.resolve("launcher.err").toFile()).start();
        try (OutputStream shell = launcher.getOutputStream()) {
            awaitHttp(base + "/metrics");
            try (DevTools browser = DevTools.start(chromium(), Files.createDirectories(work.resolve("profile")))) {
                browser.header("Authorization", AUTH);
                browser.navigate(base + "/system/console/faultline");
                browser.await("window.faultlineLive && window.faultlineLive.samples >= 2", WAIT);
                assertThat(browser.eval("document.title")).contains("Faultline");

                // press the button: a POST with the page's token, the demo runs in the framework
                browser.eval("document.getElementById('fl-demo').click()");
                long deadline = System.nanoTime() + WAIT.toNanos();
                while (!Files.readString(out).contains("counters balance")) {
                    assertThat(System.nanoTime()).as("the demo finished").isLessThan(deadline);
                    Thread.sleep(250);
                }
                String demo = Files.readString(out);
                assertThat(demo).contains("demo passed");
                long reported = summary(demo, "faults reported");
                long groups = summary(demo, "page request groups");
                long unrecoverable = summary(demo, "unrecoverable, to a handler");
                long success = summary(demo, "responses SUCCESS");
                long invalid = summary(demo, "responses INVALID");

                // the live view after the demo (it went back to the Live tab after the POST)
                browser.await("window.faultlineLive && window.faultlineLive.last && "
                        + "window.faultlineLive.last.totals.reported == " + reported
                        + " && window.faultlineLive.last.demoRuns == 1 && window.faultlineLive.samples >= 24", WAIT);
                assertThat(browser.eval("document.getElementById('fl-status').textContent")).isEqualTo("demo passed");
                String cell = "document.querySelector('#fl-totals [data-key=\"%s\"]').textContent";
                assertThat(browser.eval(cell.formatted("reported"))).isEqualTo(Long.toString(reported));
                assertThat(browser.eval(cell.formatted("groups"))).isEqualTo(Long.toString(groups));
                assertThat(browser.eval(cell.formatted("unrecoverable"))).isEqualTo(Long.toString(unrecoverable));
                assertThat(browser.eval(cell.formatted("success"))).isEqualTo(Long.toString(success));
                assertThat(browser.eval(cell.formatted("invalid"))).isEqualTo(Long.toString(invalid));
                assertThat(browser.eval(cell.formatted("balanced"))).isEqualTo("yes");
                // the chart: the legend's totals are the demo's, the groups line rose above zero
                String legend = "document.querySelector('[data-key=\"total-%s\"]').textContent";
                assertThat(browser.eval(legend.formatted("groups"))).isEqualTo(Long.toString(groups));
                assertThat(browser.eval(legend.formatted("SUCCESS"))).isEqualTo(Long.toString(success));
                // the page was open before the demo and stayed open (the button posts in place): the chart saw
                // every one of the demo's groups arrive
                assertThat(browser.eval("window.faultlineLive.first.totals.groups")).isEqualTo("0");
                assertThat(Double.parseDouble(browser.eval("window.faultlineLive.peak.faults.groups")))
                        .isGreaterThan(0);
                assertThat(Double.parseDouble(browser.eval("window.faultlineLive.peak.answers.SUCCESS")))
                        .isGreaterThan(0);
                assertThat(browser.eval("document.querySelectorAll('#fl-faults polyline').length")).isEqualTo("5");
                assertThat(browser.eval("document.querySelector('#fl-faults polyline[data-series=\"groups\"]')"
                        + ".getAttribute('points').split(' ').length > 2")).isEqualTo("true");
                Files.write(work.resolve("console-live.png"), browser.screenshot());

                // the tables agree with the core's own metrics
                String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base
                        + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
                String sva = "0000:03:00.0";
                long svaSuccess = metric(metrics, "faultline_device_answers_total{device=\"" + sva
                        + "\",backend=\"smmuv3.0\",code=\"SUCCESS\"}");
                assertThat(svaSuccess).isPositive();
                browser.navigate(base + "/system/console/faultline/devices");
                browser.await("document.querySelector('#fl-devices') != null", WAIT);
                assertThat(browser.eval("document.querySelector('tr[data-row=\"" + sva
                        + "\"] [data-key=\"success\"]').textContent")).isEqualTo(Long.toString(svaSuccess));
                Files.write(work.resolve("console-devices.png"), browser.screenshot());

                browser.navigate(base + "/system/console/faultline/handlers");
                browser.await("document.querySelector('#fl-handlers') != null", WAIT);
                assertThat(browser.eval("[...document.querySelectorAll('#fl-handlers [data-key=\"state\"]')]"
                        + ".every(c => c.textContent == 'ACTIVE')")).isEqualTo("true");
                assertThat(browser.eval("document.querySelectorAll('#fl-handlers tr[data-row]').length > 0"))
                        .isEqualTo("true");
                Files.write(work.resolve("console-handlers.png"), browser.screenshot());
            }
            shell.write("exit 0\n".getBytes(StandardCharsets.UTF_8));
        } finally {
            if (!launcher.waitFor(30, TimeUnit.SECONDS)) {
                launcher.destroyForcibly();
            }
        }
    }

    private static long metric(String text, String series) {
        Matcher m = Pattern.compile("^" + Pattern.quote(series) + " (\\d+)$", Pattern.MULTILINE).matcher(text);
        assertThat(m.find()).as(series).isTrue();
        return Long.parseLong(m.group(1));
    }

    private static void awaitHttp(String url) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding())
                        .statusCode() == 200) {
                    return;
                }
            } catch (IOException notYet) {
                // the framework is still starting
            }
            assertThat(System.nanoTime()).as("the console's HTTP service came up at " + url).isLessThan(deadline);
            Thread.sleep(250);
        }
    }
}
