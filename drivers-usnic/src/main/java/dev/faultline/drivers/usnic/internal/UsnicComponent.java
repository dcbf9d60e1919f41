package dev.faultline.drivers.usnic.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.drivers.usnic.Usnic;
import dev.faultline.drivers.usnic.UsnicStatus;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.vtd.VtdIommu;
import java.time.Duration;
import java.util.OptionalLong;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One usNIC VF per factory configuration: finds the VF on the machine, gives its protection domain a
 * first-level table and attaches it through the VT-d backend ({@code usnic_uiom_alloc_pd} plus attach). It
 * registers no {@link dev.faultline.api.handler.FaultHandler}: the core reports and counts the VF's faults.
 */
@Component(configurationPid = UsnicComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = Usnic.class)
@Designate(ocd = UsnicConfig.class, factory = true)
public final class UsnicComponent implements Usnic {
    /** The factory configuration PID. */
    public static final String PID = "dev.faultline.drivers.usnic";

    private final VtdIommu iommu;
    private final PciRequesterId device;
    private final UsnicDevice vf;

    /**
     * Sets the VF up.
     *
     * @throws IllegalArgumentException if the device is not a PCI function the machine places behind
     *     {@code iommu}
     */
    @Activate
    public UsnicComponent(UsnicConfig config, @Reference Machine machine, @Reference(name = "iommu") VtdIommu iommu) {
        DeviceId id = DeviceId.parse(config.device());
        if (!(id instanceof PciRequesterId pci)) {
            throw new IllegalArgumentException("a usNIC VF is a PCI function, not " + id);
        }
        DeviceNode node = machine.devices().stream().filter(d -> d.id().equals(id)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + id + " on " + machine.name()));
        if (!node.iommu().equals(iommu.name())) {
            throw new IllegalArgumentException(id + " is behind " + node.iommu() + ", not " + iommu.name());
        }
        TranslationPort port = machine.iommu(node.iommu())
                .orElseThrow(() -> new IllegalArgumentException("no IOMMU " + node.iommu() + " installed"));
        String domain = config.domain().isBlank() ? "usnic-" + id : config.domain();
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        this.iommu = iommu;
        this.device = pci;
        this.vf = new UsnicDevice(id.toString(), domain,
                DmaDevice.of("usnic " + id, node.requesterId(), port, machine.memory()),
                Duration.ofMillis(config.dma_timeout_ms()), machine.frames(), table);
        iommu.attach(pci, Pasid.NONE, Domain.unmanaged(domain), table.root());
    }

    @Deactivate
    void deactivate() {
        vf.release();
        try {
            iommu.detach(device, Pasid.NONE);
        } catch (IllegalStateException stopped) {
            // the backend went first: its tables and attachments are gone already
        }
    }

    @Override
    public UsnicStatus status() {
        return vf.status();
    }

    @Override
    public void register(long va, long length, boolean writable) {
        vf.register(va, length, writable);
    }

    @Override
    public boolean deregister(long va) {
        return vf.deregister(va);
    }

    @Override
    public boolean receive(long va, long value) {
        return vf.receive(va, value);
    }

    @Override
    public OptionalLong transmit(long va) {
        return vf.transmit(va);
    }
}
