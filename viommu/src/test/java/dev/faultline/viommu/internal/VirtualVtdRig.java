package dev.faultline.viommu.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualPasidEntry;
import dev.faultline.viommu.VirtualVtdOptions;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The host side of a guest with a virtual VT-d unit: the real core between an IOMMU (whose reports the test
 * makes, as the intel-vtd backend would, and whose answers it records) and the guest's vIOMMU, the virtual unit
 * in front of it, and a binder that attaches each (device, PASID) to the guest's nested domain when the guest's
 * PASID entry says first level and detaches it otherwise. The guest's kernel is a {@link GuestVtdDriver}.
 */
final class VirtualVtdRig implements AutoCloseable {
    static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    static final DeviceId GPU = DeviceId.parse("0000:04:00.0");
    /** The host's requester id of the NIC: never visible to the guest. */
    static final int HOST_RID_NIC = 0x0300;
    /** The guest's requester ids: 00:02.0 and 00:10.1 (upper context-table half). */
    static final int VRID_NIC = 0x0010;
    static final int VRID_GPU = 0x0081;
    static final String DOMAIN = "vm2-nested";
    static final long RAM = 16L << 20;

    /** One binder call. */
    record Bind(DeviceId device, int pasid, VirtualPasidEntry entry) {
    }

    final List<String> hostLog = new CopyOnWriteArrayList<>();
    final StandaloneCore core;
    final GuestsOnOneIommu.Answers answers = new GuestsOnOneIommu.Answers();
    final IommuPort port;
    final GuestMemoryWindow ram;
    final GuestViommu viommu;
    final GuestVtd unit;
    final GuestVtdDriver guest;
    final DevicePort nic;
    final DevicePort gpu;
    final List<Bind> binds = new CopyOnWriteArrayList<>();

    VirtualVtdRig(VirtualVtdOptions options, GuestLimits limits) {
        core = StandaloneCore.builder().defaultTimeoutMillis(60_000).log(hostLog::add).start();
        port = core.pipeline().connect(answers);
        ram = new GuestMemoryWindow(new PhysicalMemory(), 0, RAM);
        long[] registration = new long[1];
        viommu = new GuestViommu("vm2", Set.of(DOMAIN), ram, limits, System::nanoTime,
                vm -> core.unregister(registration[0]));
        registration[0] = core.register(viommu, Map.of(HandlerProperties.DOMAIN, DOMAIN, HandlerProperties.GUEST,
                "vm2"));
        nic = port.addDevice(NIC);
        gpu = port.addDevice(GPU);
        unit = new GuestVtd(viommu, ram, this::bind, options, limits.maxPendingGroups());
        unit.addDevice(NIC, VRID_NIC);
        unit.addDevice(GPU, VRID_GPU);
        guest = new GuestVtdDriver(ram, unit);
    }

    VirtualVtdRig() {
        this(VirtualVtdOptions.STANDARD, new GuestLimits(64, 64, 0, 1, 0));
    }

    private void bind(DeviceId device, int pasid, VirtualPasidEntry entry) {
        binds.add(new Bind(device, pasid, entry));
        DevicePort port = device.equals(NIC) ? nic : gpu;
        if (entry.mode() == VirtualPasidEntry.Mode.FIRST_LEVEL) {
            port.attach(pasid, Domain.nested(DOMAIN, "vm2"));
        } else {
            port.detach(pasid);
        }
    }

    /** The last entry the binder got for {@code (device, pasid)}, or null. */
    VirtualPasidEntry bound(DeviceId device, int pasid) {
        VirtualPasidEntry last = null;
        for (Bind b : binds) {
            if (b.device().equals(device) && b.pasid() == pasid) {
                last = b.entry();
            }
        }
        return last;
    }

    /**
     * The intel-vtd backend's report of a first-level fault: with the host's raw record, which names the host
     * requester id, a host reason and host-only bits, so a test can see that none of it reaches the guest.
     */
    void fault(DevicePort device, int pasid, long address, Permissions permissions) {
        FaultRecord host = new FaultRecord(0x00ff_dead_b000L, HOST_RID_NIC, pasid >= 0, Math.max(pasid, 0) | 0xf0000,
                0x7a, !permissions.write(), true, true, true, 3, true);
        int flags = UnrecoverableFault.ADDR_VALID | (pasid >= 0 ? UnrecoverableFault.PASID_VALID : 0);
        device.reportUnrecoverable(flags, pasid, permissions, address, 0,
                HardwareRecord.of(FaultRecord.FORMAT, host.low(), host.high()));
    }

    /** The backend's report of one page request (the last of its group when {@code last}). */
    void pageRequest(DevicePort device, int pasid, int groupId, long address, Permissions permissions,
            boolean last) {
        device.reportPageRequest(pasid, groupId, last ? PageRequest.FLAG_LAST_PAGE : 0, permissions, address, 0, 0);
    }

    /** The VMM's event thread, once: the guest's events into its registers and queue. */
    int deliver() {
        try {
            return unit.deliver(5, TimeUnit.SECONDS);
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
