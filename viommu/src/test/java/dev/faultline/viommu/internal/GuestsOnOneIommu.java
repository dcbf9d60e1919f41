package dev.faultline.viommu.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Two guests, {@code vm1} and {@code vm2}, each with one device behind the same IOMMU, with the real core between
 * the IOMMU and the guests' vIOMMUs: the IOMMU side records every answer a device gets (as the hardware's command
 * queue would), so an attack test can count at the device. Both guests give their device the same virtual id, so
 * nothing but the guest boundary tells their faults apart.
 */
final class GuestsOnOneIommu implements AutoCloseable {
    static final DeviceId NIC1 = DeviceId.parse("0000:01:00.0");
    static final DeviceId NIC2 = DeviceId.parse("0000:02:00.0");
    static final int VIRTUAL_ID = 0x10;
    private static final GuestLimits LIMITS = new GuestLimits(64, 64, 0, 1, 0);

    final List<String> hostLog = new CopyOnWriteArrayList<>();
    final StandaloneCore core;
    final Answers answers = new Answers();
    final IommuPort port;
    final GuestViommu vm1;
    final GuestViommu vm2;
    final DevicePort nic1;
    final DevicePort nic2;

    /** The guests' groups time out after {@code timeoutMillis} in the core. */
    GuestsOnOneIommu(long timeoutMillis) {
        core = StandaloneCore.builder().defaultTimeoutMillis(timeoutMillis).log(hostLog::add).start();
        port = core.pipeline().connect(answers);
        vm1 = guest("vm1", NIC1);
        vm2 = guest("vm2", NIC2);
        nic1 = device(NIC1, vm1);
        nic2 = device(NIC2, vm2);
    }

    private GuestViommu guest(String name, DeviceId device) {
        GuestMemoryWindow ram = new GuestMemoryWindow(new PhysicalMemory(), 0x4000_0000L, 1L << 20);
        long[] registration = new long[1];
        // a closing guest withdraws its handler, as the vIOMMU host does
        GuestViommu g = new GuestViommu(name, Set.of(name + "-nested"), ram, LIMITS, System::nanoTime,
                vm -> core.unregister(registration[0]));
        g.addDevice(device, VIRTUAL_ID);
        registration[0] = core.register(g, Map.of(HandlerProperties.DOMAIN, name + "-nested",
                HandlerProperties.GUEST, name));
        return g;
    }

    private DevicePort device(DeviceId id, GuestViommu guest) {
        DevicePort d = port.addDevice(id);
        d.attach(Pasid.NONE, Domain.nested(guest.name() + "-nested", guest.name()));
        return d;
    }

    /** A last-page request of {@code device} (the IOMMU's report of a stall or PRI group). */
    static void pageRequest(DevicePort device, int pasid, int groupId, long address) {
        int flags = PageRequest.FLAG_LAST_PAGE | (pasid == Pasid.NONE ? 0 : PageRequest.FLAG_RESPONSE_NEEDS_PASID);
        device.reportPageRequest(pasid, groupId, flags, Permissions.READ_WRITE, address, 0, 0);
    }

    /** An unrecoverable fault of {@code device}. */
    static void unrecoverable(DevicePort device, long address) {
        device.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE, Permissions.WRITE, address, 0,
                HardwareRecord.NONE);
    }

    @Override
    public void close() {
        core.close();
    }

    /** The IOMMU side: every answer a device got, in order. */
    static final class Answers implements IommuBackend {
        /** One answer as the hardware would carry it. */
        record Answer(DeviceId device, int groupId, int pasid, ResponseCode code) {
        }

        private final List<Answer> all = new ArrayList<>();

        @Override
        public String name() {
            return "iommu0";
        }

        @Override
        public synchronized void sendPageResponse(DeviceId device, PageResponse response) {
            all.add(new Answer(device, response.groupId(), response.pasid(), response.code()));
        }

        /** The answers {@code device} got so far. */
        synchronized List<Answer> of(DeviceId device) {
            return all.stream().filter(a -> a.device().equals(device)).toList();
        }
    }
}
