package dev.faultline.itests.console;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.machine.Machine;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import java.util.Hashtable;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * A scenario whose every figure is known: on a backend of its own, a host device whose handler answers even
 * groups SUCCESS and odd ones INVALID gets a partial page request and three groups (2, 4, 5), and a guest's device
 * sends one page request group, which waits in the guest's queue. Names carry a tag so that scenarios of different
 * tests never share a label.
 */
final class KnownScenario implements AutoCloseable {
    static final GuestLimits GUEST_LIMITS = new GuestLimits(8, 8, 0, 1, 0);

    final String backend;
    final String device;
    final String guestDevice;
    final String handler;
    final String guest;
    final long handlerServiceId;
    private final IommuPort iommu;
    private final ServiceRegistration<FaultHandler> registration;
    private final VirtualIommu vm;

    KnownScenario(BundleContext context, FaultPipeline pipeline, VirtualIommus viommus, Machine machine, String tag,
            int function) {
        backend = "observe-" + tag;
        device = "0000:0e:00." + function;
        guestDevice = "0000:0e:01." + function;
        handler = "observe-probe-" + tag;
        guest = "observe-vm-" + tag;
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DEVICE, device);
        props.put("component.name", handler);
        registration = context.registerService(FaultHandler.class, group -> group.respond(
                group.groupId() % 2 == 0 ? ResponseCode.SUCCESS : ResponseCode.INVALID), props);
        handlerServiceId = (Long) registration.getReference().getProperty("service.id");

        long base = machine.frames().allocate(1L << 20, 1L << 20);
        vm = viommus.create(guest, Set.of(guest + "-dom"), new GuestMemoryWindow(machine.memory(), base, 1L << 20),
                GUEST_LIMITS);
        vm.addDevice(DeviceId.parse(guestDevice), 0x10);

        iommu = pipeline.connect(new IommuBackend() {
            @Override
            public String name() {
                return backend;
            }

            @Override
            public void sendPageResponse(DeviceId to, PageResponse response) {
                // the answers are read from the core's counters
            }
        });
        DevicePort host = iommu.addDevice(DeviceId.parse(device));
        expect(host.reportPageRequest(Pasid.NONE, 2, 0, Permissions.READ, 0x1000, 0, 0), ReportOutcome.PARKED);
        for (int group : new int[] {2, 4, 5}) {
            expect(host.reportPageRequest(Pasid.NONE, group, PageRequest.FLAG_LAST_PAGE, Permissions.READ,
                    0x2000L * group, 0, 0), ReportOutcome.DISPATCHED);
        }
        DevicePort guestPort = iommu.addDevice(DeviceId.parse(guestDevice));
        guestPort.attach(Pasid.NONE, Domain.nested(guest + "-dom", guest));
        expect(guestPort.reportPageRequest(Pasid.NONE, 7, PageRequest.FLAG_LAST_PAGE, Permissions.WRITE, 0x9000, 0,
                0), ReportOutcome.DISPATCHED);
    }

    private static void expect(ReportOutcome outcome, ReportOutcome expected) {
        if (outcome != expected) {
            throw new AssertionError("scenario report ended " + outcome + ", not " + expected);
        }
    }

    /** Closes the guest, unregisters the handler and disconnects the backend. */
    @Override
    public void close() {
        vm.close();
        registration.unregister();
        iommu.close();
    }
}
