package dev.faultline.launcher.internal.shell;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * simulated machine as the platform and the backends expose it, and a DMA access from any of its devices.
 */
@Component(service = MachineCommands.class)
@ShellCommand(function = {"iommus", "devices", "domains", "dma"})
public final class MachineCommands {
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
    @Descriptor("list the machine's IOMMUs: model, devices behind each, whether a backend drives it")
    public List<MachineView.Iommu> iommus() throws InvalidSyntaxException {
        List<MachineView.Iommu> out = new ArrayList<>();
        for (ServiceReference<TranslationPort> ref : context.getServiceReferences(TranslationPort.class, null)) {
            TranslationPort port = context.getService(ref);
            if (port == null) {
                continue;
            }
            try {
                out.add(new MachineView.Iommu(port.name(), port.getClass().getSimpleName(),
                        machine.devicesBehind(port.name()).size(), hasBackend(port.name())));
            } finally {
                context.ungetService(ref);
            }
        }
        out.sort((a, b) -> a.name().compareTo(b.name()));
        return List.copyOf(out);
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
    @Descriptor("list the machine's devices: IOMMU, requester id, how faults reach software, faults counted")
    public List<MachineView.Device> devices() {
        Map<String, DeviceStatus> core = statistics.devices().stream()
                .collect(Collectors.toMap(DeviceStatus::device, Function.identity(), (a, b) -> a.present() ? a : b));
        List<MachineView.Device> out = new ArrayList<>();
        for (DeviceNode node : machine.devices()) {
            DeviceStatus status = core.get(node.id().toString());
            out.add(new MachineView.Device(node.id().toString(), node.iommu(), node.requesterId(),
                    node.pri() ? "pri" : node.stallCapable() ? "stall" : "terminate",
                    status == null ? 0 : status.counts().reported(), status == null ? 0 : status.counts().pending()));
        }
        return List.copyOf(out);
    }

    /** The domains handlers serve. */
    @Descriptor("list the domains fault handlers serve, with the handler and its bundle")
    public List<MachineView.Domain> domains() {
        List<MachineView.Domain> out = new ArrayList<>();
        for (HandlerStatus handler : statistics.handlers()) {
            for (String domain : handler.domains()) {
                out.add(new MachineView.Domain(domain, handler.name(), handler.bundle(), handler.counts().answered()));
            }
        }
        out.sort((a, b) -> a.domain().compareTo(b.domain()));
        return List.copyOf(out);
    }

    /** A DMA access without PASID. */
    @Descriptor("perform one DMA access from a device through its IOMMU (8 bytes; faults go through the pipeline)")
    public MachineView.DmaOutcome dma(@Descriptor("device id, e.g. 0000:03:00.0 or platform:gpu0") String device,
            @Descriptor("r (read), w (write) or x (instruction fetch)") String access,
            @Descriptor("address, hex with 0x or decimal") String address) {
        return dma(device, access, address, Pasid.NONE);
    }

    /** A DMA access with a PASID. */
    @Descriptor("perform one DMA access with a PASID from a device through its IOMMU")
    public MachineView.DmaOutcome dma(@Descriptor("device id, e.g. 0000:03:00.0 or platform:gpu0") String device,
            @Descriptor("r (read), w (write) or x (instruction fetch)") String access,
            @Descriptor("address, hex with 0x or decimal") String address,
            @Descriptor("PASID, 0 to 0xfffff") int pasid) {
        Pasid.requireValidOrNone(pasid);
        DeviceId id = DeviceId.parse(device);
        DeviceNode node = find(machine.devices(), id).orElseThrow(() -> new IllegalArgumentException(
                "no device " + id + " on the machine (see faultline:devices)"));
        TranslationPort port = machine.iommu(node.iommu()).orElseThrow(() -> new IllegalStateException(
                "IOMMU " + node.iommu() + " of " + id + " is not installed"));
        long at = parseAddress(address);
        DmaDevice dma;
        if (node.pri()) {
            PriCapability pri = new PriCapability(32, pasid != Pasid.NONE);
            pri.enable();
            dma = DmaDevice.withPri("shell-" + id, node.requesterId(), port, machine.memory(), pri);
        } else {
            dma = DmaDevice.of("shell-" + id, node.requesterId(), port, machine.memory());
        }
        try {
            DmaResult result = switch (access.toLowerCase(Locale.ROOT)) {
                case "r" -> dma.read(pasid, at, 8, DMA_TIMEOUT);
                case "w" -> dma.write(pasid, at, new byte[8], DMA_TIMEOUT);
                case "x" -> dma.fetch(pasid, at, 8, DMA_TIMEOUT);
                default -> throw new IllegalArgumentException("access is r, w or x, not '" + access + "'");
            };
            return new MachineView.DmaOutcome(id.toString(), access + " 0x" + Long.toHexString(at) + " pasid "
                    + Pasid.format(pasid), result.status().name(), result.physicalAddress(), result.pageRequests(),
                    result.stalls());
        } finally {
            if (node.pri()) {
                port.disconnect(node.requesterId());
            }
        }
    }

    private static Optional<DeviceNode> find(Collection<DeviceNode> nodes, DeviceId id) {
        return nodes.stream().filter(n -> n.id().equals(id)).findFirst();
    }

    private static long parseAddress(String text) {
        try {
            return Long.decode(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("not an address: '" + text + "' (0x<hex> or decimal)", e);
        }
    }
}
