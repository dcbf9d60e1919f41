package dev.faultline.core.internal.shell;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.PendingGroup;
import dev.faultline.core.control.HandlerControl;
import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands of scope {@code faultline}: {@code stats}, {@code pending}, {@code handlers}, {@code release}. Each
 * prints a table, or JSON with {@code --json}.
 */
@Component(service = FaultlineCommands.class)
@ShellCommands(function = {"stats", "pending", "handlers", "release"})
public final class FaultlineCommands {
    static final String STATS = "[--json] [--all] [<device>]";
    static final String PENDING = "[--json]";
    static final String HANDLERS = "[--json]";
    static final String RELEASE = "[--json] <handler>";

    private final FaultStatistics statistics;
    private final HandlerControl control;

    /** Commands over {@code statistics}; releasing works when it is the core's own (a {@link HandlerControl}). */
    @Activate
    public FaultlineCommands(@Reference FaultStatistics statistics) {
        this.statistics = statistics;
        this.control = statistics instanceof HandlerControl c ? c : handler -> List.of();
    }

    /** The totals and the per-device counters. */
    @Descriptor("fault counters: the totals (and whether they balance), then each present device's (--all: removed"
            + " ones too; a device named: its own, removed or not)")
    public String stats(@Descriptor(STATS) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:stats", STATS, arguments);
        boolean all = args.has("--all");
        String device = args.optional("device").orElse(null);
        List<DeviceStatus> devices = new ArrayList<>();
        int removed = 0;
        for (DeviceStatus status : statistics.devices()) {
            if (device != null && !status.device().equals(device)) {
                continue;
            }
            if (status.present() || all || device != null) {
                devices.add(status);
            } else {
                removed++;
            }
        }
        Table table = devices(devices, args.json()).titled("devices");
        if (device != null) {
            if (devices.isEmpty()) {
                throw new IllegalArgumentException("the core has seen no device " + device + " (faultline:stats lists"
                        + " those it has)");
            }
            return Table.render(args.json(), table);
        }
        FaultCounts totals = statistics.totals();
        Table sums;
        if (args.json()) {
            List<String> headers = new ArrayList<>(List.of("balanced"));
            headers.addAll(Counter.headers(true));
            List<Object> cells = new ArrayList<>(List.of(totals.balanced()));
            cells.addAll(Counter.cells(totals, true));
            sums = Table.of(headers.toArray(String[]::new)).row(cells.toArray()).titled("totals");
        } else {
            sums = Table.of("counter", "total").titled("totals").row("balanced", totals.balanced() ? "yes" : "NO");
            for (Counter counter : Counter.values()) {
                sums.row(counter.label, counter.of(totals));
            }
        }
        String out = Table.render(args.json(), sums, table);
        return removed == 0 || args.json() ? out
                : out + removed + " removed device" + (removed == 1 ? "" : "s") + " not listed (faultline:stats --all)\n";
    }

    private static Table devices(List<DeviceStatus> devices, boolean json) {
        List<String> headers = new ArrayList<>(json ? List.of("device", "iommu", "present", "partials")
                : List.of("device", "iommu"));
        headers.addAll(Counter.headers(json));
        Table table = Table.of(headers.toArray(String[]::new));
        for (DeviceStatus d : devices) {
            List<Object> cells = new ArrayList<>(json ? List.of(d.device(), d.iommu(), d.present(), d.partials())
                    : List.of(d.present() ? d.device() : d.device() + " (removed)", d.iommu()));
            cells.addAll(Counter.cells(d.counts(), json));
            table.row(cells.toArray());
        }
        return table;
    }

    /** The groups waiting for an answer, and what changes of owner answered or refused. */
    @Descriptor("page request groups waiting for an answer, oldest first; then what changes of owner (detach,"
            + " removal, handler departure) answered INVALID and the stale answers they refused")
    public String pending(@Descriptor(PENDING) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:pending", PENDING, arguments);
        Table table = Table.of("device", "group", "pasid", "handler", "queued", "age ms", "remaining ms");
        for (PendingGroup group : statistics.pending()) {
            table.row(group.device(), group.groupId(), args.json() ? (Object) group.pasid() : Pasid.format(group.pasid()),
                    group.handler(), group.queued(), TimeUnit.NANOSECONDS.toMillis(group.ageNanos()),
                    TimeUnit.NANOSECONDS.toMillis(group.remainingNanos()));
        }
        FaultCounts t = statistics.totals();
        Table changes = Table.of("answered at detach", "stale answers", "answered at removal",
                "answered at departure").titled("changes of owner").row(t.answeredAtDetach(), t.staleAnswers(),
                        t.answeredAtRemoval(), t.answeredAtDeparture());
        return Table.render(args.json(), table.titled("pending"), changes);
    }

    /** The registered handlers. */
    @Descriptor("registered fault handlers: targets, dispatch mode, state (ACTIVE, QUARANTINED, REFUSED) and why,"
            + " standing per target (serves, or behind which handler), counters")
    public String handlers(@Descriptor(HANDLERS) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:handlers", HANDLERS, arguments);
        return Table.render(args.json(), handlerTable(statistics.handlers(), args.json()));
    }

    private static Table handlerTable(List<HandlerStatus> handlers, boolean json) {
        Table table = json
                ? Table.of("name", "bundle", "service id", "ranking", "domains", "devices", "pasids", "dispatch",
                        "timeout ms", "state", "reason", "standing", "handed over", "groups", "answered", "timed out",
                        "errors")
                : Table.of("handler", "bundle", "serves", "dispatch", "state", "standing", "groups", "answered",
                        "timed out", "errors");
        for (HandlerStatus h : handlers) {
            FaultCounts c = h.counts();
            if (json) {
                table.row(h.name(), h.bundle(), h.serviceId(), h.ranking(), h.domains(), h.devices(), h.pasids(),
                        h.dispatch(), h.timeoutMillis(), h.state().name(), h.reason(), h.standing(), h.handedOver(),
                        c.groups(), c.answered(), c.timedOut(), c.handlerErrors());
            } else {
                table.row(h.name(), h.bundle(), serves(h), h.dispatch(), h.state().name(), standing(h), c.groups(),
                        c.answered(), c.timedOut(), c.handlerErrors());
            }
        }
        return table;
    }

    /** Releases a quarantined handler by hand. */
    @Descriptor("release a quarantined handler now (no probation), by name or service id")
    public String release(@Descriptor(RELEASE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:release", RELEASE, arguments);
        String handler = args.text("handler");
        List<HandlerStatus> released = control.release(handler);
        if (released.isEmpty()) {
            throw new IllegalArgumentException("no quarantined handler named or numbered " + handler
                    + " (faultline:handlers lists them)");
        }
        return Table.render(args.json(), handlerTable(released, args.json()));
    }

    /** Why it is refused or quarantined; else "serves", or the targets where another handler outranks it. */
    private static String standing(HandlerStatus h) {
        if (!h.reason().isEmpty()) {
            return h.reason();
        }
        List<String> behind = h.standing().stream().filter(s -> !s.endsWith(": serves")).toList();
        return behind.isEmpty() ? "serves" : String.join("; ", behind);
    }

    private static String serves(HandlerStatus h) {
        List<String> parts = new ArrayList<>();
        h.domains().forEach(d -> parts.add("domain " + d));
        h.devices().forEach(d -> parts.add("device " + d));
        if (!h.pasids().isEmpty()) {
            parts.add("pasids " + String.join(",", h.pasids().stream().map(Pasid::format).toList()));
        }
        return parts.isEmpty() ? "everything" : String.join(", ", parts);
    }
}
