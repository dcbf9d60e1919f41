package dev.faultline.shell.internal.shell;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code faultline:iommus}, {@code faultline:devices}, {@code faultline:domains} and {@code faultline:dma}: the
 * simulated machine as the platform and the backends expose it, and a DMA access from any of its devices. Each
 * prints a table, or JSON with {@code --json}.
 */
@Component(service = MachineCommands.class)
@ShellCommands(function = {"iommus", "devices", "domains", "dma"})
public final class MachineCommands {
    static final String LIST = "[--json]";
    static final String DMA = "[--json] <device> <r|w|x> <address> [<pasid>]";

    private static final Duration DMA_TIMEOUT = Duration.ofSeconds(2);
    private static final List<String> BACKEND_SERVICES = List.of("dev.faultline.smmuv3.SmmuDomains",
            "dev.faultline.vtd.VtdIommu");

    private final BundleContext context;
    private final Machine machine;
    private final FaultStatistics statistics;

    /** The component. */
    @Activate
    public MachineCommands(BundleContext context, @Reference Machine machine, @Reference FaultStatistics statistics) {
        this.context = context;
        this.machine = machine;
        this.statistics = statistics;
    }

    /** The IOMMUs installed in the machine. */
    @Descriptor("the machine's IOMMUs: model, devices behind each, whether a backend drives it")
    public String iommus(@Descriptor(LIST) String... arguments) throws InvalidSyntaxException {
        CommandArguments args = CommandArguments.parse("faultline:iommus", LIST, arguments);
        Table table = Table.of("iommu", "model", "devices", "backend");
        List<ServiceReference<TranslationPort>> refs = new ArrayList<>(
                context.getServiceReferences(TranslationPort.class, null));
        List<Object[]> rows = new ArrayList<>();
        for (ServiceReference<TranslationPort> ref : refs) {
            TranslationPort port = context.getService(ref);
            if (port == null) {
                continue;
            }
            try {
                boolean backend = hasBackend(port.name());
                rows.add(new Object[] {port.name(), port.getClass().getSimpleName(),
                    machine.devicesBehind(port.name()).size(),
                    args.json() ? (Object) backend : backend ? "running" : "none"});
            } finally {
                context.ungetService(ref);
            }
        }
        rows.sort(Comparator.comparing(r -> (String) r[0]));
        rows.forEach(table::row);
        return Table.render(args.json(), table);
    }

    private boolean hasBackend(String iommu) throws InvalidSyntaxException {
        for (String service : BACKEND_SERVICES) {
            String filter = "(|(iommu.name=" + iommu + ")(faultline.iommu=" + iommu + "))";
            if (context.getServiceReferences(service, filter) != null) {
                return true;
            }
        }
        return false;
    }

    /** The devices in the machine's firmware list, with the core's counts. */
    @Descriptor("the machine's devices: IOMMU, requester id, how faults reach software, faults the core counted")
    public String devices(@Descriptor(LIST) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:devices", LIST, arguments);
        Map<String, DeviceStatus> core = statistics.devices().stream()
                .collect(Collectors.toMap(DeviceStatus::device, Function.identity(), (a, b) -> a.present() ? a : b));
        Table table = Table.of("device", "iommu", "requester id", "faults via", "reported", "pending");
        for (DeviceNode node : machine.devices()) {
            DeviceStatus status = core.get(node.id().toString());
            table.row(node.id().toString(), node.iommu(), args.json() ? (Object) node.requesterId()
                    : String.format(Locale.ROOT, "0x%04x", node.requesterId()),
                    MachineDevices.faultsVia(node),
                    status == null ? 0L : status.counts().reported(), status == null ? 0L : status.counts().pending());
        }
        return Table.render(args.json(), table);
    }

    /**
     * The domains handlers serve: per domain, every handler registered for it, the one that gets its faults first
     * ({@code serves}), then those it outranks ({@code behind ...}, with the ranking and service id that decide),
     * then refused or quarantined ones with their reason.
     */
    @Descriptor("the domains fault handlers serve: per domain the handler that wins (serves), the ones behind it"
            + " with the ranking that decides, refused or quarantined ones with why, and the groups each answered")
    public String domains(@Descriptor(LIST) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:domains", LIST, arguments);
        List<DomainRow> rows = new ArrayList<>();
        for (HandlerStatus handler : statistics.handlers()) {
            for (String domain : handler.domains()) {
                rows.add(new DomainRow(domain, handler, standing(handler, domain)));
            }
        }
        rows.sort(Comparator.comparing(DomainRow::domain).thenComparingInt(DomainRow::order)
                .thenComparing(r -> -r.handler().ranking()).thenComparingLong(r -> r.handler().serviceId()));
        Table table = Table.of("domain", "handler", "bundle", "ranking", "service id", "state", "standing",
                "answered");
        for (DomainRow r : rows) {
            HandlerStatus h = r.handler();
            table.row(r.domain(), h.name(), h.bundle(), h.ranking(), h.serviceId(), h.state().name(), r.standing(),
                    h.counts().answered());
        }
        return Table.render(args.json(), table);
    }

    /** "serves", "behind ..." for an active handler, else why it gets nothing. */
    private static String standing(HandlerStatus handler, String domain) {
        if (handler.state() != HandlerStatus.State.ACTIVE) {
            return handler.reason();
        }
        String prefix = "domain " + domain + ": ";
        return handler.standing().stream().filter(s -> s.startsWith(prefix)).map(s -> s.substring(prefix.length()))
                .findFirst().orElse("serves");
    }

    /** One handler of one domain; {@link #order} puts the winner first, refused and quarantined ones last. */
    private record DomainRow(String domain, HandlerStatus handler, String standing) {
        int order() {
            return handler.state() != HandlerStatus.State.ACTIVE ? 2 : standing.equals("serves") ? 0 : 1;
        }
    }

    /** One DMA access, with or without a PASID. */
    @Descriptor("one 8-byte DMA access from a device through its IOMMU (faults go through the pipeline)")
    public String dma(@Descriptor(DMA) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:dma", DMA, arguments);
        DeviceNode node = MachineDevices.node(machine, args);
        DeviceId id = node.id();
        String access = args.text("r|w|x").toLowerCase(Locale.ROOT);
        if (!List.of("r", "w", "x").contains(access)) {
            throw args.error("access is r, w or x, not '" + args.text("r|w|x") + "'");
        }
        long at = args.number("address");
        int pasid = (int) args.optionalNumber("pasid", 0, Pasid.MAX).orElse(Pasid.NONE);
        TranslationPort port = MachineDevices.port(machine, node);
        DmaResult result = access(node, port, access, pasid, at);
        boolean completed = result.status() == DmaStatus.COMPLETED;
        Table table = Table.of("device", "access", "address", "pasid", "status", "physical address", "page requests",
                "stalls");
        if (args.json()) {
            table.row(id.toString(), access, at, pasid == Pasid.NONE ? null : pasid, result.status().name(),
                    completed ? result.physicalAddress() : null, result.pageRequests(), result.stalls());
        } else {
            table.row(id.toString(), access, "0x" + Long.toHexString(at), Pasid.format(pasid), result.status().name(),
                    completed ? "0x" + Long.toHexString(result.physicalAddress()) : "", result.pageRequests(),
                    result.stalls());
        }
        return Table.render(args.json(), table);
    }

    private DmaResult access(DeviceNode node, TranslationPort port, String access, int pasid, long at) {
        DmaDevice dma = MachineDevices.master(machine, node, port, "shell-" + node.id(), pasid != Pasid.NONE);
        try {
            return switch (access) {
                case "r" -> dma.read(pasid, at, 8, DMA_TIMEOUT);
                case "w" -> dma.write(pasid, at, new byte[8], DMA_TIMEOUT);
                default -> dma.fetch(pasid, at, 8, DMA_TIMEOUT);
            };
        } finally {
            if (node.pri()) {
                port.disconnect(node.requesterId());
            }
        }
    }
}
