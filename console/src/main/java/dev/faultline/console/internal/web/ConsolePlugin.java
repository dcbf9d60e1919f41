package dev.faultline.console.internal.web;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.console.internal.state.Observation;
import dev.faultline.console.internal.state.Observer;
import dev.faultline.core.control.HandlerControl;
import dev.faultline.platform.machine.Machine;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import javax.servlet.Servlet;
import javax.servlet.http.HttpServlet;
import javax.servlet.http.HttpServletRequest;
import javax.servlet.http.HttpServletResponse;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * The Faultline page of the Apache Felix Web Console ({@code /system/console/faultline}), behind the Web Console's
 * own authentication: tabs for the live chart and totals, IOMMUs and backends, devices, domains, handlers, guests
 * and pending groups; {@code data.json} for the live chart; {@code res/*} for its script and style.
 *
 * <p>GET only reads. The actions (run the demo, swap a backend) are POSTs to {@code action} carrying this
 * console's token, which only its own pages hold, so a page of another site cannot make a logged-in browser
 * post them.
 */
@Component(service = Servlet.class, property = {
    "felix.webconsole.label=" + ConsolePlugin.LABEL,
    "felix.webconsole.title=Faultline",
    "felix.webconsole.category=Faultline",
    "felix.webconsole.css=/" + ConsolePlugin.LABEL + "/res/console.css"})
public final class ConsolePlugin extends HttpServlet {
    /** The plugin's label: its path below the Web Console's root. */
    public static final String LABEL = "faultline";

    private static final long serialVersionUID = 1L;

    private final transient Observer observer;
    private final transient Actions actions;
    private final String token;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile Machine machine;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC)
    private transient volatile HandlerControl control;

    /** The component. */
    @Activate
    public ConsolePlugin(BundleContext context, @Reference Observer observer) {
        this.observer = observer;
        this.actions = new Actions(context);
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        this.token = HexFormat.of().formatHex(random);
    }

    @Override
    protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String sub = subPath(request);
        String root = pluginRoot(request);
        if (sub.startsWith("res/")) {
            resource(sub.substring(4), response);
            return;
        }
        if (sub.equals("data.json")) {
            response.setContentType("application/json");
            response.setCharacterEncoding("UTF-8");
            response.setHeader("Cache-Control", "no-store");
            response.getWriter().write(data(observer.observe(), actions));
            return;
        }
        if (!Pages.TABS.containsKey(sub)) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "no Faultline page '" + sub + "'");
            return;
        }
        Observation o = observer.observe();
        StringBuilder out = new StringBuilder(16 * 1024);
        Pages.nav(out, root, sub, token);
        String done = request.getParameter("done");
        if (done != null) {
            out.append("<p class='fl-done' id='fl-done'>").append(Html.escape(done)).append("</p>\n");
        }
        switch (sub) {
            case "" -> Pages.live(out, root, o, actions, token);
            case "iommus" -> Pages.iommus(out, root, o, machine, actions, token);
            case "devices" -> Pages.devices(out, o, machine);
            case "domains" -> Pages.domains(out, o);
            case "handlers" -> Pages.handlers(out, root, o, token);
            case "guests" -> Pages.guests(out, o);
            default -> Pages.pending(out, o);
        }
        response.setContentType("text/html");
        response.setCharacterEncoding("UTF-8");
        response.getWriter().write(out.toString());
    }

    @Override
    protected void doPost(HttpServletRequest request, HttpServletResponse response) throws IOException {
        if (!subPath(request).equals("action")) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND, "POST only to " + LABEL + "/action");
            return;
        }
        String given = request.getParameter("token");
        if (given == null || !MessageDigest.isEqual(given.getBytes(StandardCharsets.UTF_8),
                token.getBytes(StandardCharsets.UTF_8))) {
            response.sendError(HttpServletResponse.SC_FORBIDDEN, "missing or stale console token: reload the page");
            return;
        }
        String action = String.valueOf(request.getParameter("action"));
        String outcome;
        String back = "";
        switch (action) {
            case "demo" -> outcome = actions.runDemo();
            case "swap" -> {
                back = "/iommus";
                outcome = swap(request.getParameter("target"));
            }
            case "release" -> {
                back = "/handlers";
                outcome = release(request.getParameter("target"));
            }
            default -> outcome = "unknown action '" + action + "'";
        }
        response.sendRedirect(pluginRoot(request) + back + "?done="
                + java.net.URLEncoder.encode(outcome, StandardCharsets.UTF_8));
    }

    /** Releases the quarantined handler of service id {@code target} ({@code faultline:release}). */
    private String release(String target) {
        HandlerControl c = control;
        if (c == null) {
            return "the core is not running";
        }
        try {
            long id = Long.parseLong(String.valueOf(target));
            List<HandlerStatus> released = c.release(Long.toString(id));
            return released.isEmpty() ? "handler " + id + " is not quarantined"
                    : "released " + released.get(0).name() + " (service id " + id + "): " + released.get(0).state();
        } catch (NumberFormatException e) {
            return "not a service id: '" + target + "'";
        }
    }

    private String swap(String target) {
        try {
            return actions.swap(Long.parseLong(String.valueOf(target)));
        } catch (NumberFormatException e) {
            return "not a bundle id: '" + target + "'";
        }
    }

    /** The live chart's sample: cumulative totals (the page derives rates) and the action status. */
    static String data(Observation o, Actions actions) {
        FaultCounts t = o.totals();
        return new Json().open()
                .number("nanos", o.nanos())
                .open("faults")
                .number("groups", t.groups())
                .number("partials", t.parked() + t.droppedPartials())
                .number("unrecoverable", t.delivered())
                .number("noHandler", t.noHandler())
                .number("rejected", t.rejected())
                .close()
                .open("answers")
                .number("SUCCESS", t.answeredSuccess())
                .number("INVALID", t.answeredInvalid())
                .number("FAILURE", t.answeredFailure())
                .close()
                .open("totals")
                .number("reported", t.reported())
                .number("groups", t.groups())
                .number("partials", t.parked() + t.droppedPartials())
                .number("unrecoverable", t.delivered())
                .number("noHandler", t.noHandler())
                .number("rejected", t.rejected())
                .number("success", t.answeredSuccess())
                .number("invalid", t.answeredInvalid())
                .number("failure", t.answeredFailure())
                .number("pending", t.pending())
                .number("timedOut", t.timedOut())
                .number("abandoned", t.abandoned())
                .number("lostResponses", t.lostResponses())
                .number("overflows", o.iommus().stream().mapToLong(IommuStatus::overflows).sum())
                .close()
                .open("latency")
                .decimal("p50", o.latency().p50Nanos() / 1000.0)
                .decimal("p99", o.latency().p99Nanos() / 1000.0)
                .decimal("max", o.latency().maxNanos() / 1000.0)
                .number("samples", o.latency().samples())
                .close()
                .bool("balanced", t.balanced())
                .number("demoRuns", actions.demoRuns())
                .string("status", actions.status())
                .close().toString();
    }

    private void resource(String name, HttpServletResponse response) throws IOException {
        String type = name.endsWith(".js") ? "text/javascript" : name.endsWith(".css") ? "text/css" : null;
        InputStream in = type == null || name.contains("/") ? null : ConsolePlugin.class.getResourceAsStream(name);
        if (in == null) {
            response.sendError(HttpServletResponse.SC_NOT_FOUND);
            return;
        }
        try (in) {
            response.setContentType(type);
            response.setCharacterEncoding("UTF-8");
            in.transferTo(response.getOutputStream());
        }
    }

    /** The path below the plugin, without slashes at either end: "" for the plugin's own page. */
    static String subPath(HttpServletRequest request) {
        String path = request.getPathInfo();
        if (path == null) {
            return "";
        }
        String prefix = "/" + LABEL;
        if (path.startsWith(prefix)) {
            path = path.substring(prefix.length());
        }
        while (path.startsWith("/")) {
            path = path.substring(1);
        }
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return path;
    }

    private static String pluginRoot(HttpServletRequest request) {
        Object root = request.getAttribute("felix.webconsole.pluginRoot");
        if (root != null) {
            return root.toString();
        }
        return request.getContextPath() + request.getServletPath() + "/" + LABEL;
    }
}
