package dev.faultline.shell.internal.shell;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.examples.sva.ProcessPageTable;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.vtd.VtdIommu;
import java.util.Collection;
import java.util.Hashtable;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code faultline:attach} and {@code faultline:detach}: attach a device (or one PASID of it) to a domain through
 * the backend driving its IOMMU, the SMMUv3 backend's {@link SmmuDomains} or the VT-d backend's {@link VtdIommu},
 * as a driver does; from then on the device's faults go to the handlers serving that domain. The domain gets a
 * fresh, empty stage-1 (SMMUv3) or first-level (VT-d) table, so every access faults until a handler maps it.
 *
 * <p>So that a handler can map it, each attachment's table is registered as a {@link ProcessPageTable} service (the
 * examples' page table of a shared address space) with the properties {@value #DOMAIN_PROPERTY},
 * {@value #DEVICE_PROPERTY}, {@value #PASID_PROPERTY} (absent without a PASID) and {@value #ROOT_PROPERTY}: a
 * handler serving the domain looks it up by domain (e.g. {@code (faultline.domain=mydomain)}), maps the page asked
 * for to a frame of the {@link Machine}'s allocator and answers SUCCESS. Detaching (or re-attaching the same device
 * and PASID) unregisters it. The component is immediate, so that the table services outlive each command call (a
 * delayed component would be disposed, and its services withdrawn, once the shell lets go of it).
 *
 * <p>The backend's service is looked up at each call, never held: a backend swapped in the meantime is used as it
 * is now, and the commands stay registered while it is replaced.
 */
@Component(service = AttachCommands.class, immediate = true)
@ShellCommands(function = {"attach", "detach"})
public final class AttachCommands {
    static final String ATTACH = "[--json] [--sva] <device> <domain> [<pasid>]";
    static final String DETACH = "[--json] <device> [<pasid>]";

    /** The input address size of the stage-1 tables attached (Linux SVA's 48-bit user address space). */
    private static final int INPUT_BITS = 48;

    /** The service property naming the domain of an attachment's table. */
    public static final String DOMAIN_PROPERTY = "faultline.domain";
    /** The service property naming the device of an attachment's table. */
    public static final String DEVICE_PROPERTY = "faultline.device";
    /** The service property holding the PASID of an attachment's table (an {@code Integer}). */
    public static final String PASID_PROPERTY = "faultline.pasid";
    /** The service property holding the physical address of the table's root (a {@code Long}). */
    public static final String ROOT_PROPERTY = "faultline.table.root";

    private final BundleContext context;
    private final Machine machine;
    /** The table services of the attachments made here, by device and PASID. */
    private final Map<String, ServiceRegistration<ProcessPageTable>> tables = new ConcurrentHashMap<>();

    /** The component. */
    @Activate
    public AttachCommands(BundleContext context, @Reference Machine machine) {
        this.context = context;
        this.machine = machine;
    }

    /** Attaches a device, or one PASID of it, to a domain. */
    @Descriptor("attach a device (or one PASID of it) to a domain through its IOMMU's backend, with an empty"
            + " table: its faults go to the domain's handlers (--sva: a shared address space, PASID required)")
    public String attach(@Descriptor(ATTACH) String... arguments) throws InvalidSyntaxException {
        CommandArguments args = CommandArguments.parse("faultline:attach", ATTACH, arguments);
        DeviceNode node = MachineDevices.node(machine, args);
        String name = args.text("domain");
        if (name.isBlank() || !name.strip().equals(name)) {
            throw args.error("<domain> is a name without spaces, not '" + name + "'");
        }
        int pasid = pasid(args);
        boolean sva = args.has("--sva");
        if (sva && pasid == Pasid.NONE) {
            throw args.error("--sva attaches a PASID: give the <pasid> (1 to 0x" + Integer.toHexString(Pasid.MAX)
                    + ")");
        }
        Domain domain = sva ? Domain.sva(name) : Domain.unmanaged(name);
        ProcessPageTable[] attached = new ProcessPageTable[1];
        long root = onBackend(node, smmu -> {
            TranslationTable table = TranslationTable.stage1(machine.frames(), INPUT_BITS);
            smmu.attachStage1(node.id(), pasid, domain, table);
            attached[0] = ProcessPageTable.arm(table);
            return table.root();
        }, vtd -> {
            FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
            vtd.attach(PciRequesterId.ofRid(vtd.segment(), node.requesterId()), pasid, domain, table.root());
            attached[0] = ProcessPageTable.x86(table);
            return table.root();
        });
        publish(node.id().toString(), pasid, name, root, attached[0]);
        Table table = Table.of("device", "iommu", "pasid", "domain", "type", "faults via", "table");
        table.row(node.id().toString(), node.iommu(), args.json() ? pasidJson(pasid) : Pasid.format(pasid), name,
                domain.type().name(), MachineDevices.faultsVia(node),
                args.json() ? (Object) root : "0x" + Long.toHexString(root));
        return Table.render(args.json(), table);
    }

    /** Detaches a device, or one PASID of it. */
    @Descriptor("detach a device (or one PASID of it) from its domain through its IOMMU's backend")
    public String detach(@Descriptor(DETACH) String... arguments) throws InvalidSyntaxException {
        CommandArguments args = CommandArguments.parse("faultline:detach", DETACH, arguments);
        DeviceNode node = MachineDevices.node(machine, args);
        int pasid = pasid(args);
        onBackend(node, smmu -> {
            smmu.detach(node.id(), pasid);
            return 0L;
        }, vtd -> {
            vtd.detach(PciRequesterId.ofRid(vtd.segment(), node.requesterId()), pasid);
            return 0L;
        });
        withdraw(node.id().toString(), pasid);
        Table table = Table.of("device", "iommu", "pasid", "attached");
        table.row(node.id().toString(), node.iommu(), args.json() ? pasidJson(pasid) : Pasid.format(pasid),
                args.json() ? (Object) Boolean.FALSE : "no");
        return Table.render(args.json(), table);
    }

    /** Registers the table of a new attachment, in place of the one the device and PASID had. */
    private void publish(String device, int pasid, String domain, long root, ProcessPageTable table) {
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(DOMAIN_PROPERTY, domain);
        properties.put(DEVICE_PROPERTY, device);
        if (pasid != Pasid.NONE) {
            properties.put(PASID_PROPERTY, pasid);
        }
        properties.put(ROOT_PROPERTY, root);
        ServiceRegistration<ProcessPageTable> registration = context.registerService(ProcessPageTable.class, table,
                properties);
        ServiceRegistration<ProcessPageTable> before = tables.put(key(device, pasid), registration);
        unregister(before);
    }

    private void withdraw(String device, int pasid) {
        unregister(tables.remove(key(device, pasid)));
    }

    /** Unregisters every table service (the commands went away; the attachments stay with the backends). */
    @Deactivate
    void deactivate() {
        tables.values().forEach(AttachCommands::unregister);
        tables.clear();
    }

    private static void unregister(ServiceRegistration<?> registration) {
        if (registration == null) {
            return;
        }
        try {
            registration.unregister();
        } catch (IllegalStateException e) {
            // already unregistered (the bundle is stopping)
        }
    }

    private static String key(String device, int pasid) {
        return device + "/" + pasid;
    }

    private static int pasid(CommandArguments args) {
        return (int) args.optionalNumber("pasid", 1, Pasid.MAX).orElse(Pasid.NONE);
    }

    private static Object pasidJson(int pasid) {
        return pasid == Pasid.NONE ? null : pasid;
    }

    /** What one backend does for the command. */
    private interface BackendCall<T> {
        long apply(T backend);
    }

    /** Runs the call on the backend driving {@code node}'s IOMMU, whichever kind it is. */
    private long onBackend(DeviceNode node, BackendCall<SmmuDomains> onSmmu, BackendCall<VtdIommu> onVtd)
            throws InvalidSyntaxException {
        Optional<Long> done = call(SmmuDomains.class, "(iommu.name=" + node.iommu() + ")", onSmmu);
        if (done.isEmpty()) {
            done = call(VtdIommu.class, "(" + VtdIommu.NAME_PROPERTY + "=" + node.iommu() + ")", onVtd);
        }
        return done.orElseThrow(() -> new IllegalStateException("no backend drives " + node.iommu() + ", the IOMMU"
                + " of " + node.id() + " (see faultline:iommus)"));
    }

    private <T> Optional<Long> call(Class<T> type, String filter, BackendCall<T> call) throws InvalidSyntaxException {
        Collection<ServiceReference<T>> references = context.getServiceReferences(type, filter);
        for (ServiceReference<T> reference : references) {
            T backend = context.getService(reference);
            if (backend == null) {
                continue;
            }
            try {
                return Optional.of(call.apply(backend));
            } finally {
                context.ungetService(reference);
            }
        }
        return Optional.empty();
    }
}
