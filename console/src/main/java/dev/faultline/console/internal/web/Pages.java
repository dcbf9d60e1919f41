package dev.faultline.console.internal.web;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.api.stats.PendingGroup;
import dev.faultline.console.internal.state.GuestView;
import dev.faultline.console.internal.state.Observation;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.viommu.GuestStatistics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import org.osgi.framework.Bundle;

/**
 * The HTML of the console's pages (inside the Web Console's frame). Every table cell that shows a figure carries a
 * {@code data-key} naming it, so that a reader (or a test) finds a value without parsing the layout.
 *
 * <p><b>Size.</b> Its size is the pages' markup; the figures come from the observation classes.
 */
final class Pages {
    /** The tabs, by sub-path. */
    static final Map<String, String> TABS = tabs();

    private Pages() {
    }

    private static Map<String, String> tabs() {
        Map<String, String> tabs = new LinkedHashMap<>();
        tabs.put("", "Live");
        tabs.put("iommus", "IOMMUs");
        tabs.put("devices", "Devices");
        tabs.put("domains", "Domains");
        tabs.put("handlers", "Handlers");
        tabs.put("guests", "Guests");
        tabs.put("pending", "Pending groups");
        return tabs;
    }

    static void nav(StringBuilder out, String root, String current, String token) {
        out.append("<p class='fl-nav' data-token='").append(token).append("'>");
        for (Map.Entry<String, String> tab : TABS.entrySet()) {
            String href = tab.getKey().isEmpty() ? root : root + "/" + tab.getKey();
            out.append(tab.getKey().equals(current) ? "<b>" : "<a href='" + href + "'>")
                    .append(tab.getValue()).append(tab.getKey().equals(current) ? "</b>" : "</a>").append(" | ");
        }
        out.setLength(out.length() - 3);
        out.append("</p>\n");
    }

    static void live(StringBuilder out, String root, Observation o, Actions actions, String token) {
        FaultCounts t = o.totals();
        out.append("<div id='fl-live' data-url='").append(Html.escape(root)).append("/data.json'>\n");
        out.append("<h3>Faults per second, by kind</h3>\n<svg id='fl-faults' class='fl-chart' width='720' height='180'"
                + " role='img' aria-label='faults per second by kind'></svg>\n<div id='fl-faults-legend'></div>\n");
        out.append("<h3>Answers per second, by code</h3>\n<svg id='fl-answers' class='fl-chart' width='720'"
                + " height='180' role='img' aria-label='answers per second by code'></svg>\n"
                + "<div id='fl-answers-legend'></div>\n");
        out.append("<h3>Answer latency (receipt to answer, since the core started)</h3>\n<svg id='fl-latency'"
                + " class='fl-chart' width='720' height='180' role='img' aria-label='answer latency p50 and p99'>"
                + "</svg>\n<div id='fl-latency-legend'></div>\n");
        out.append("<h3>Totals</h3>\n<table class='nicetable' id='fl-totals'><tr><th>figure</th><th>count</th></tr>\n");
        totalRow(out, "reported", "faults reported", t.reported());
        totalRow(out, "groups", "page request groups", t.groups());
        totalRow(out, "partials", "partial page requests", t.parked() + t.droppedPartials());
        totalRow(out, "unrecoverable", "unrecoverable, to a handler", t.delivered());
        totalRow(out, "noHandler", "unhandled (no handler)", t.noHandler());
        totalRow(out, "rejected", "rejected", t.rejected());
        totalRow(out, "success", "answers SUCCESS", t.answeredSuccess());
        totalRow(out, "invalid", "answers INVALID", t.answeredInvalid());
        totalRow(out, "failure", "answers FAILURE", t.answeredFailure());
        totalRow(out, "pending", "groups pending", t.pending());
        totalRow(out, "timedOut", "timed out", t.timedOut());
        totalRow(out, "abandoned", "abandoned", t.abandoned());
        totalRow(out, "lostResponses", "lost responses", t.lostResponses());
        totalRow(out, "overflows", "hardware queue overflows (faults dropped)",
                o.iommus().stream().mapToLong(IommuStatus::overflows).sum());
        out.append("<tr><td>answer latency p50 / p99 / max (µs, ").append(o.latency().samples())
                .append(" timed)</td><td data-key='latency'>").append(micros(o.latency().p50Nanos())).append(" / ")
                .append(micros(o.latency().p99Nanos())).append(" / ").append(micros(o.latency().maxNanos()))
                .append("</td></tr>\n");
        out.append("<tr><td>counters balance</td><td data-key='balanced'>").append(t.balanced() ? "yes" : "NO")
                .append("</td></tr>\n</table>\n");
        out.append("<h3>Demo</h3>\n");
        if (actions.demoAvailable()) {
            form(out, root, token, "demo", null, "Run the demo");
        } else {
            out.append("<p>The demo is not installed in this framework.</p>\n");
        }
        out.append("<p>Demo runs finished: <span data-key='demoRuns'>").append(actions.demoRuns())
                .append("</span>. Last action: <span id='fl-status' data-key='status'>")
                .append(Html.escape(actions.status())).append("</span></p>\n</div>\n");
        out.append("<script src='").append(Html.escape(root)).append("/res/live.js'></script>\n");
    }

    private static String micros(long nanos) {
        return String.format(Locale.ROOT, "%.1f", nanos / 1000.0);
    }

    private static void totalRow(StringBuilder out, String key, String label, long value) {
        out.append("<tr><td>").append(label).append("</td><td data-key='").append(key).append("'>").append(value)
                .append("</td></tr>\n");
    }

    static void iommus(StringBuilder out, String root, Observation o, Machine machine, Actions actions,
            String token) {
        Map<String, long[]> byBackend = new LinkedHashMap<>();
        for (DeviceStatus d : o.devices()) {
            long[] sums = byBackend.computeIfAbsent(d.iommu(), k -> new long[4]);
            sums[0] += d.present() ? 1 : 0;
            sums[1] += d.counts().reported();
            sums[2] += d.counts().groups();
            sums[3] += d.counts().pending();
        }
        out.append("<h3>IOMMUs</h3>\n<table class='nicetable' id='fl-iommus'><tr><th>IOMMU</th>"
                + "<th>devices in firmware</th><th>devices connected</th><th>faults</th><th>groups</th>"
                + "<th>pending</th><th>event / fault record queue overflows</th><th>page request queue overflows</th>"
                + "</tr>\n");
        Map<String, IommuStatus> reported = new LinkedHashMap<>();
        for (IommuStatus i : o.iommus()) {
            reported.put(i.name(), i);
        }
        Map<String, Integer> firmware = new LinkedHashMap<>();
        if (machine != null) {
            for (DeviceNode node : machine.devices()) {
                firmware.merge(node.iommu(), 1, Integer::sum);
            }
        }
        java.util.Set<String> names = new java.util.TreeSet<>(firmware.keySet());
        names.addAll(byBackend.keySet());
        names.addAll(reported.keySet());
        for (String name : names) {
            long[] sums = byBackend.getOrDefault(name, new long[4]);
            out.append("<tr data-row='").append(Html.escape(name)).append("'><td>").append(Html.escape(name))
                    .append("</td><td>").append(firmware.getOrDefault(name, 0)).append("</td>");
            cell(out, "connected", sums[0]);
            cell(out, "reported", sums[1]);
            cell(out, "groups", sums[2]);
            cell(out, "pending", sums[3]);
            IommuStatus status = reported.getOrDefault(name, IommuStatus.builder().name(name).build());
            cell(out, "faultRecordOverflows", status.faultRecordOverflows());
            cell(out, "pageRequestOverflows", status.pageRequestOverflows());
            out.append("</tr>\n");
        }
        out.append("</table>\n<h3>Backends</h3>\n<table class='nicetable' id='fl-backends'><tr><th>bundle</th>"
                + "<th>id</th><th>version</th><th>state</th><th></th></tr>\n");
        for (Bundle b : actions.backends()) {
            out.append("<tr><td>").append(Html.escape(b.getSymbolicName())).append("</td><td>")
                    .append(b.getBundleId()).append("</td><td>").append(Html.escape(b.getVersion().toString()))
                    .append("</td><td>").append(b.getState() == Bundle.ACTIVE ? "ACTIVE" : "not active")
                    .append("</td><td>");
            if (actions.swapAvailable()) {
                form(out, root, token, "swap", Long.toString(b.getBundleId()),
                        "Swap (stop, update with its running content, start)");
            } else {
                out.append("swapping needs the launcher");
            }
            out.append("</td></tr>\n");
        }
        out.append("</table>\n<p>Last action: ").append(Html.escape(actions.status())).append("</p>\n");
    }

    static void devices(StringBuilder out, Observation o, Machine machine) {
        Map<String, DeviceNode> nodes = new LinkedHashMap<>();
        if (machine != null) {
            for (DeviceNode node : machine.devices()) {
                nodes.put(node.id().toString(), node);
            }
        }
        out.append("<h3>Devices</h3>\n<table class='nicetable' id='fl-devices'><tr><th>device</th><th>IOMMU</th>"
                + "<th>faults reach software by</th><th>present</th><th>faults</th><th>groups</th><th>SUCCESS</th>"
                + "<th>INVALID</th><th>FAILURE</th><th>pending</th><th>parked now</th><th>no handler</th>"
                + "<th>rejected</th></tr>\n");
        for (DeviceStatus d : o.devices()) {
            DeviceNode node = nodes.get(d.device());
            FaultCounts c = d.counts();
            out.append("<tr data-row='").append(Html.escape(d.device())).append("'><td>")
                    .append(Html.escape(d.device())).append("</td><td>").append(Html.escape(d.iommu()))
                    .append("</td><td>").append(node == null ? "" : node.pri() ? "PRI" : node.stallCapable()
                            ? "stall" : "terminate").append("</td><td>").append(d.present() ? "yes" : "removed")
                    .append("</td>");
            cell(out, "reported", c.reported());
            cell(out, "groups", c.groups());
            cell(out, "success", c.answeredSuccess());
            cell(out, "invalid", c.answeredInvalid());
            cell(out, "failure", c.answeredFailure());
            cell(out, "pending", c.pending());
            cell(out, "partials", d.partials());
            cell(out, "noHandler", c.noHandler());
            cell(out, "rejected", c.rejected());
            out.append("</tr>\n");
        }
        out.append("</table>\n");
    }

    static void domains(StringBuilder out, Observation o) {
        out.append("<h3>Domains and what is attached to them</h3>\n<table class='nicetable' id='fl-domains'><tr>"
                + "<th>domain</th><th>handler</th><th>bundle</th><th>state</th><th>devices it also serves</th>"
                + "<th>PASIDs</th><th>faults routed</th><th>answered</th></tr>\n");
        for (HandlerStatus h : o.handlers()) {
            for (String domain : h.domains()) {
                out.append("<tr data-row='").append(Html.escape(domain)).append("'><td>").append(Html.escape(domain))
                        .append("</td><td>").append(Html.escape(h.name())).append("</td><td>")
                        .append(Html.escape(h.bundle())).append("</td><td>").append(h.state()).append("</td><td>")
                        .append(Html.escape(String.join(", ", h.devices()))).append("</td><td>")
                        .append(h.pasids().isEmpty() ? "all" : h.pasids().toString()).append("</td>");
                cell(out, "reported", h.counts().reported());
                cell(out, "answered", h.counts().answered());
                out.append("</tr>\n");
            }
        }
        out.append("</table>\n<p>A device's faults reach the handler of the domain attached at its PASID; a guest's"
                + " nested domains are served by its virtual IOMMU.</p>\n");
    }

    static void handlers(StringBuilder out, String root, Observation o, String token) {
        out.append("<h3>Handlers</h3>\n<table class='nicetable' id='fl-handlers'><tr><th>handler</th><th>bundle</th>"
                + "<th>service id</th><th>state</th><th>dispatch</th><th>deadline ms</th><th>targets</th>"
                + "<th>routed</th><th>SUCCESS</th><th>INVALID</th><th>FAILURE</th><th>pending</th>"
                + "<th>timed out</th><th>abandoned</th><th>errors</th><th>slow calls</th><th>duplicates</th>"
                + "<th>queue full</th><th></th></tr>\n");
        for (HandlerStatus h : o.handlers()) {
            FaultCounts c = h.counts();
            out.append("<tr data-row='").append(Html.escape(h.name())).append("'><td>").append(Html.escape(h.name()))
                    .append("</td><td>").append(Html.escape(h.bundle())).append("</td><td>").append(h.serviceId())
                    .append("</td><td data-key='state'>").append(h.state()).append("</td><td>")
                    .append(Html.escape(h.dispatch())).append("</td><td>").append(h.timeoutMillis())
                    .append("</td><td>").append(Html.escape(targets(h))).append("</td>");
            cell(out, "reported", c.reported());
            cell(out, "success", c.answeredSuccess());
            cell(out, "invalid", c.answeredInvalid());
            cell(out, "failure", c.answeredFailure());
            cell(out, "pending", c.pending());
            cell(out, "timedOut", c.timedOut());
            cell(out, "abandoned", c.abandoned());
            cell(out, "errors", c.handlerErrors());
            cell(out, "slowCalls", c.slowCalls());
            cell(out, "duplicates", c.duplicates());
            cell(out, "queueFull", c.queueFull());
            out.append("<td>");
            if (h.state() == HandlerStatus.State.QUARANTINED) {
                form(out, root, token, "release", Long.toString(h.serviceId()), "Release");
            }
            out.append("</td></tr>\n");
        }
        out.append("</table>\n");
    }

    private static String targets(HandlerStatus h) {
        StringBuilder t = new StringBuilder();
        if (!h.domains().isEmpty()) {
            t.append("domains ").append(String.join(", ", h.domains()));
        }
        if (!h.devices().isEmpty()) {
            t.append(t.length() > 0 ? "; " : "").append("devices ").append(String.join(", ", h.devices()));
        }
        if (!h.pasids().isEmpty()) {
            t.append(" PASIDs ").append(h.pasids());
        }
        return t.toString();
    }

    static void guests(StringBuilder out, Observation o) {
        out.append("<h3>Guests</h3>\n<table class='nicetable' id='fl-guests'><tr><th>guest</th><th>queue</th>"
                + "<th>awaiting answer</th><th>routed</th><th>delivered</th><th>lost</th><th>lost: rate</th>"
                + "<th>lost: queue full</th><th>lost: pending full</th><th>rate limit</th><th>answers accepted</th>"
                + "<th>answers rejected</th><th>answered by host</th></tr>\n");
        for (GuestView g : o.guests()) {
            GuestStatistics s = g.statistics();
            out.append("<tr data-row='").append(Html.escape(g.name())).append("'><td>").append(Html.escape(g.name()))
                    .append("</td><td data-key='queue'>").append(s.queued()).append(" / ")
                    .append(g.limits().eventQueueDepth()).append("</td><td>").append(s.pending()).append(" / ")
                    .append(g.limits().maxPendingGroups()).append("</td>");
            cell(out, "routed", s.routed());
            cell(out, "delivered", s.delivered());
            cell(out, "lost", s.lost());
            cell(out, "rateLimited", s.rateLimited());
            cell(out, "queueFull", s.queueFull());
            cell(out, "pendingFull", s.pendingFull());
            out.append("<td data-key='rate'>").append(g.limits().eventsPerSecond() == 0 ? "none"
                    : g.limits().eventsPerSecond() + "/s, burst " + g.limits().burst()).append("</td>");
            cell(out, "accepted", s.accepted());
            cell(out, "rejectedAnswers", s.rejectedAnswers());
            cell(out, "answeredForGuest", s.answeredForGuest());
            out.append("</tr>\n");
        }
        out.append("</table>\n");
        if (o.guests().isEmpty()) {
            out.append("<p>No guest has a virtual IOMMU now.</p>\n");
        }
    }

    static void pending(StringBuilder out, Observation o) {
        out.append("<h3>Pending groups</h3>\n<table class='nicetable' id='fl-pending'><tr><th>device</th>"
                + "<th>group</th><th>PASID</th><th>handler</th><th>where</th><th>age ms</th><th>deadline in ms</th>"
                + "</tr>\n");
        List<PendingGroup> pending = o.pending();
        Function<Long, String> ms = nanos -> String.format(Locale.ROOT, "%.1f", nanos / 1e6);
        for (PendingGroup p : pending) {
            out.append("<tr><td>").append(Html.escape(p.device())).append("</td><td>").append(p.groupId())
                    .append("</td><td>").append(Pasid.format(p.pasid()))
                    .append("</td><td>").append(Html.escape(p.handler())).append("</td><td>")
                    .append(p.queued() ? "queued" : "deferred").append("</td><td>").append(ms.apply(p.ageNanos()))
                    .append("</td><td>").append(ms.apply(p.remainingNanos())).append("</td></tr>\n");
        }
        out.append("</table>\n<p>").append(pending.size()).append(" groups waiting for an answer.</p>\n");
    }

    private static void cell(StringBuilder out, String key, long value) {
        out.append("<td data-key='").append(key).append("'>").append(value).append("</td>");
    }

    private static void form(StringBuilder out, String root, String token, String action, String target,
            String label) {
        out.append("<form method='post' action='").append(Html.escape(root)).append("/action' class='fl-action'>")
                .append("<input type='hidden' name='token' value='").append(token).append("'>")
                .append("<input type='hidden' name='action' value='").append(action).append("'>");
        if (target != null) {
            out.append("<input type='hidden' name='target' value='").append(Html.escape(target)).append("'>");
        }
        out.append("<button type='submit' id='fl-").append(action).append(target == null ? "" : "-" + target)
                .append("'>").append(Html.escape(label)).append("</button></form>\n");
    }
}
