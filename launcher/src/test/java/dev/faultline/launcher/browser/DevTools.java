package dev.faultline.launcher.browser;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A headless Chromium driven over the Chrome DevTools Protocol from plain JDK classes (a process, an HTTP client,
 * a WebSocket): navigate, evaluate a script, take a screenshot. Only what the console's browser test needs.
 */
final class DevTools implements AutoCloseable {
    private static final Pattern PAGE_SOCKET = Pattern.compile(
            "\"type\"\\s*:\\s*\"page\"[^}]*?\"webSocketDebuggerUrl\"\\s*:\\s*\"([^\"]+)\"", Pattern.DOTALL);
    private static final Pattern RESPONSE_ID = Pattern.compile("^\\{\"id\":(\\d+)");
    private static final Duration WAIT = Duration.ofSeconds(90);

    private final Process browser;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<String>> replies = new ConcurrentHashMap<>();

    private DevTools(Process browser, WebSocket socket) {
        this.browser = browser;
        this.socket = socket;
    }

    /** Starts {@code chromium} headless with a fresh profile in {@code profile} and attaches to its page. */
    static DevTools start(Path chromium, Path profile) throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        List<String> command = new ArrayList<>(List.of(chromium.toString(), "--headless=new", "--no-sandbox",
                "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run", "--hide-scrollbars",
                "--window-size=1280,1400", "--remote-allow-origins=*", "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=" + port, "--user-data-dir=" + profile, "about:blank"));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(profile.resolveSibling("chromium.log").toFile()).start();
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + WAIT.toNanos();
        String pageSocket = null;
        while (pageSocket == null) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new IOException("Chromium did not offer its DevTools endpoint on port " + port
                        + " (see chromium.log)");
            }
            try {
                String list = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/json/list"))
                        .build(), HttpResponse.BodyHandlers.ofString()).body();
                Matcher m = PAGE_SOCKET.matcher(list);
                if (m.find()) {
                    pageSocket = m.group(1);
                }
            } catch (IOException notYet) {
                // Chromium is still starting
            }
            if (pageSocket == null) {
                Thread.sleep(200);
            }
        }
        DevTools[] self = new DevTools[1];
        StringBuilder partial = new StringBuilder();
        WebSocket ws = http.newWebSocketBuilder().buildAsync(URI.create(pageSocket), new WebSocket.Listener() {
            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                partial.append(data);
                if (last) {
                    String message = partial.toString();
                    partial.setLength(0);
                    Matcher m = RESPONSE_ID.matcher(message);
                    if (m.find() && self[0] != null) {
                        CompletableFuture<String> reply = self[0].replies.remove(Integer.parseInt(m.group(1)));
                        if (reply != null) {
                            reply.complete(message);
                        }
                    }
                }
                webSocket.request(1);
                return null;
            }
        }).get(WAIT.toSeconds(), TimeUnit.SECONDS);
        self[0] = new DevTools(process, ws);
        return self[0];
    }

    /** Sends one command and returns its reply (the whole JSON message); fails on a protocol error. */
    String call(String method, String params) throws Exception {
        int id = ids.incrementAndGet();
        CompletableFuture<String> reply = new CompletableFuture<>();
        replies.put(id, reply);
        socket.sendText("{\"id\":" + id + ",\"method\":\"" + method + "\",\"params\":" + params + "}", true)
                .get(WAIT.toSeconds(), TimeUnit.SECONDS);
        String message = reply.get(WAIT.toSeconds(), TimeUnit.SECONDS);
        if (message.contains("\"error\":{")) {
            throw new IllegalStateException(method + " failed: " + message);
        }
        return message;
    }

    /** Every request of the page carries this header (e.g. the Web Console's Basic authentication). */
    void header(String name, String value) throws Exception {
        call("Network.enable", "{}");
        call("Network.setExtraHTTPHeaders", "{\"headers\":{\"" + name + "\":\"" + value + "\"}}");
    }

    void navigate(String url) throws Exception {
        call("Page.enable", "{}");
        call("Page.navigate", "{\"url\":\"" + url + "\"}");
    }

    /** Evaluates {@code expression} in the page; its value as a string ("" for undefined or null). */
    String eval(String expression) throws Exception {
        String reply = call("Runtime.evaluate", "{\"expression\":" + quote("String((function(){ try { return "
                + expression + "; } catch (e) { return ''; } })() ?? '')") + ",\"returnByValue\":true}");
        Matcher m = Pattern.compile("\"value\":\"((?:[^\"\\\\]|\\\\.)*)\"").matcher(reply);
        return m.find() ? unquote(m.group(1)) : "";
    }

    /** Waits until {@code expression} evaluates to "true". */
    void await(String expression, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!eval(expression).equals("true")) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the page never satisfied: " + expression);
            }
            Thread.sleep(250);
        }
    }

    /** A PNG of the page as the browser shows it. */
    byte[] screenshot() throws Exception {
        String reply = call("Page.captureScreenshot", "{\"format\":\"png\",\"captureBeyondViewport\":true}");
        Matcher m = Pattern.compile("\"data\":\"([A-Za-z0-9+/=]+)\"").matcher(reply);
        if (!m.find()) {
            throw new IllegalStateException("no screenshot in " + reply.substring(0, Math.min(200, reply.length())));
        }
        return java.util.Base64.getDecoder().decode(m.group(1));
    }

    private static String quote(String text) {
        StringBuilder out = new StringBuilder("\"");
        for (char c : text.toCharArray()) {
            switch (c) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                default -> out.append(c);
            }
        }
        return out.append('"').toString();
    }

    private static String unquote(String json) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (c != '\\') {
                out.append(c);
                continue;
            }
            char e = json.charAt(++i);
            switch (e) {
                case 'n' -> out.append('\n');
                case 't' -> out.append('\t');
                case 'r' -> out.append('\r');
                case 'u' -> {
                    out.append((char) Integer.parseInt(json.substring(i + 1, i + 5), 16));
                    i += 4;
                }
                default -> out.append(e);
            }
        }
        return out.toString();
    }

    @Override
    public void close() {
        socket.abort();
        browser.destroy();
        try {
            if (!browser.waitFor(10, TimeUnit.SECONDS)) {
                browser.destroyForcibly();
            }
        } catch (InterruptedException e) {
            browser.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
