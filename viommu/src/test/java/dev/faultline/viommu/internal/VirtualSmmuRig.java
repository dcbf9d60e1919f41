package dev.faultline.viommu.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualSte;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The host side of a guest with a virtual SMMUv3: the real core between an IOMMU (whose reports the test makes,
 * as the SMMUv3 backend would, and whose answers it records) and the guest's vIOMMU, the virtual SMMU in front
 * of it, and a binder that attaches each device to the guest's nested domain when the guest's STE says stage 1
 * and detaches it otherwise. The guest's kernel is a {@link GuestSmmuDriver}.
 */
final class VirtualSmmuRig implements AutoCloseable {
    static final DeviceId NIC = DeviceId.parse("0000:01:00.0");
    static final DeviceId GPU = DeviceId.parse("0000:02:00.0");
    /** The host's StreamIDs: never visible to the guest. */
    static final int HOST_SID_NIC = 0x100;
    static final int VSID_NIC = 0x10;
    static final int VSID_GPU = 0x11;
    static final String DOMAIN = "vm1-nested";

    final List<String> hostLog = new CopyOnWriteArrayList<>();
    final StandaloneCore core;
    final GuestsOnOneIommu.Answers answers = new GuestsOnOneIommu.Answers();
    final IommuPort port;
    final GuestViommu viommu;
    final GuestSmmuV3 smmu;
    final GuestSmmuDriver guest;
    final DevicePort nic;
    final DevicePort gpu;
    /** Every entry the binder was given, in order. */
    final List<Map.Entry<DeviceId, VirtualSte>> binds = new CopyOnWriteArrayList<>();

    VirtualSmmuRig(int evtqLog2, GuestLimits limits) {
        core = StandaloneCore.builder().defaultTimeoutMillis(60_000).log(hostLog::add).start();
        port = core.pipeline().connect(answers);
        GuestMemoryWindow ram = new GuestMemoryWindow(new PhysicalMemory(), 0, 16L << 20);
        long[] registration = new long[1];
        viommu = new GuestViommu("vm1", Set.of(DOMAIN), ram, limits, System::nanoTime,
                vm -> core.unregister(registration[0]));
        registration[0] = core.register(viommu, Map.of(HandlerProperties.DOMAIN, DOMAIN, HandlerProperties.GUEST,
                "vm1"));
        nic = port.addDevice(NIC);
        gpu = port.addDevice(GPU);
        smmu = new GuestSmmuV3(viommu, ram, this::bind, limits.maxPendingGroups());
        smmu.addStream(NIC, VSID_NIC);
        smmu.addStream(GPU, VSID_GPU);
        guest = new GuestSmmuDriver(ram, smmu, evtqLog2);
    }

    VirtualSmmuRig() {
        this(4, new GuestLimits(64, 64, 0, 1, 0));
    }

    private void bind(DeviceId device, VirtualSte ste) {
        binds.add(Map.entry(device, ste));
        DevicePort port = device.equals(NIC) ? nic : gpu;
        if (ste.mode() == VirtualSte.Mode.STAGE1) {
            port.attach(Pasid.NONE, Domain.nested(DOMAIN, "vm1"));
        } else {
            port.detach(Pasid.NONE);
        }
    }

    /** The last entry the binder got for {@code device}. */
    VirtualSte bound(DeviceId device) {
        VirtualSte last = null;
        for (Map.Entry<DeviceId, VirtualSte> e : binds) {
            if (e.getKey().equals(device)) {
                last = e.getValue();
            }
        }
        return last;
    }

    /**
     * The SMMUv3 backend's report of a terminated stage-1 fault: with the host's raw record, which names the
     * host StreamID and carries host-only bits, so a test can see that none of it reaches the guest.
     */
    void fault(DevicePort device, long address, Permissions permissions) {
        long dw0 = 0x10 | (long) HOST_SID_NIC << 32;
        long dw1 = (permissions.write() ? 0 : EventRecord.EVTQ_1_RNW) | 0xbeefL << 16 | 2L << 40;
        HardwareRecord host = HardwareRecord.of(EventRecord.FORMAT, dw0, dw1, address, 0x0000_00ff_dead_0000L);
        device.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE, permissions, address, 0, host);
    }

    /** The backend's report of a stall (a one-request group, group id = the host STAG). */
    void stall(DevicePort device, int hostStag, long address, Permissions permissions) {
        device.reportPageRequest(Pasid.NONE, hostStag, PageRequest.FLAG_LAST_PAGE, permissions, address, 0, 0);
    }

    /** The VMM's event thread, once: the guest's events into its event queue. */
    int deliver() {
        try {
            return smmu.deliver(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        viommu.close();
        core.close();
    }
}
