package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.VirtualIommu;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * The vIOMMU follows the physical device: a device unplugged from the machine leaves its guest (virtual id
 * retired, the groups the guest holds answered INVALID, the guest's late answer refused), and when a device is
 * plugged in again under the same id its faults reach no guest until the VMM adds it again.
 */
class GuestFollowsThePhysicalDeviceTest {
    private static final DeviceId NIC = DeviceId.parse("0000:01:00.0");
    private static final String NODE = "0000:01:00.0@smmuv3.0:0x100:pri";
    private static final int VIRTUAL_ID = 0x10;

    private final Machine machine = Machine.create("host", 0x4000_0000L, 0x1000_0000L);
    private final StandaloneCore core = StandaloneCore.builder().log(line -> { }).start();
    private final GuestsOnOneIommu.Answers answers = new GuestsOnOneIommu.Answers();
    private final IommuPort port = core.pipeline().connect(answers);
    private final VirtualIommuHost host = new VirtualIommuHost(frameworkContext(), configuration());

    @AfterEach
    void close() {
        host.deactivate();
        core.close();
    }

    /** A bundle context that accepts the guests' handler registrations (the test registers them with the core). */
    static BundleContext frameworkContext() {
        ServiceRegistration<?> registration = (ServiceRegistration<?>) Proxy.newProxyInstance(
                GuestFollowsThePhysicalDeviceTest.class.getClassLoader(), new Class<?>[] {ServiceRegistration.class},
                (proxy, method, args) -> null);
        return (BundleContext) Proxy.newProxyInstance(GuestFollowsThePhysicalDeviceTest.class.getClassLoader(),
                new Class<?>[] {BundleContext.class}, (proxy, method, args) -> method.getName()
                        .equals("registerService") ? registration : null);
    }

    static ViommuConfiguration configuration() {
        return (ViommuConfiguration) Proxy.newProxyInstance(GuestFollowsThePhysicalDeviceTest.class.getClassLoader(),
                new Class<?>[] {ViommuConfiguration.class}, (proxy, method, args) -> switch (method.getName()) {
                    case "event_queue_depth", "pending_groups_max" -> 64;
                    case "rate_per_second", "response_timeout_ms" -> 0L;
                    case "rate_burst" -> 1;
                    default -> method.getDefaultValue();
                });
    }

    /** Guest vm1 of the host, given the NIC under {@link #VIRTUAL_ID}. */
    private VirtualIommu guestWithTheNic() {
        VirtualIommu vm1 = host.create("vm1", Set.of("vm1-nested"), new GuestMemoryWindow(new PhysicalMemory(),
                0x4000_0000L, 1L << 20));
        vm1.addDevice(NIC, VIRTUAL_ID);
        return vm1;
    }

    private DevicePort plugIn() {
        machine.addDevice(DeviceNode.parse(NODE));
        DevicePort d = port.addDevice(NIC);
        d.attach(Pasid.NONE, Domain.nested("vm1-nested", "vm1"));
        return d;
    }

    private List<ResponseCode> codes() {
        return answers.of(NIC).stream().map(GuestsOnOneIommu.Answers.Answer::code).toList();
    }

    private static List<PageRequestEvent> pageRequests(VirtualIommu guest) {
        return guest.poll(16).stream().filter(PageRequestEvent.class::isInstance).map(PageRequestEvent.class::cast)
                .toList();
    }

    @Test
    void anUnpluggedDeviceLeavesItsGuestAndComesBackOnlyWhenTheVmmAddsItAgain() {
        host.addMachine(machine);
        VirtualIommu vm1 = guestWithTheNic();
        core.register((GuestViommu) vm1,
                Map.of(HandlerProperties.DOMAIN, "vm1-nested", HandlerProperties.GUEST, "vm1"));
        DevicePort nic = plugIn();
        GuestsOnOneIommu.pageRequest(nic, Pasid.NONE, 1, 0x1000);
        List<PageRequestEvent> read = pageRequests(vm1);
        assertThat(read).singleElement().extracting(PageRequestEvent::virtualDevice).isEqualTo(VIRTUAL_ID);

        assertThat(machine.removeDevice(NIC)).isTrue();
        nic.remove(); // the backend's part of the unplug

        assertThat(codes()).containsExactly(ResponseCode.INVALID);
        assertThat(vm1.respond(read.get(0).cookie(), 0).name()).isEqualTo("LATE");
        assertThat(codes()).containsExactly(ResponseCode.INVALID);

        DevicePort again = plugIn();
        GuestsOnOneIommu.pageRequest(again, Pasid.NONE, 2, 0x2000);
        assertThat(vm1.poll(16)).isEmpty();
        assertThat(vm1.statistics().droppedUnknownDevice()).isEqualTo(1);
        assertThat(codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);

        vm1.addDevice(NIC, VIRTUAL_ID);
        GuestsOnOneIommu.pageRequest(again, Pasid.NONE, 3, 0x3000);
        assertThat(pageRequests(vm1)).singleElement().extracting(PageRequestEvent::virtualDevice)
                .isEqualTo(VIRTUAL_ID);
    }

    @Test
    void aNestedReAttachAnswersTheGroupsTheGuestHoldsAndTheGuestsLateAnswerNeverReachesTheDevice() {
        VirtualIommu vm1 = guestWithTheNic();
        core.register((GuestViommu) vm1,
                Map.of(HandlerProperties.DOMAIN, "vm1-nested", HandlerProperties.GUEST, "vm1"));
        DevicePort nic = plugIn();
        GuestsOnOneIommu.pageRequest(nic, Pasid.NONE, 1, 0x1000);
        GuestsOnOneIommu.pageRequest(nic, 7, 2, 0x2000);
        List<PageRequestEvent> read = pageRequests(vm1);
        assertThat(read).hasSize(2);

        nic.attach(Pasid.NONE, Domain.nested("vm1-nested", "vm1")); // the guest's new stage 1

        assertThat(codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
        assertThat(read).allSatisfy(e -> assertThat(vm1.respond(e.cookie(), 0).name()).isEqualTo("LATE"));
        assertThat(codes()).hasSize(2);
        assertThat(core.statistics().totals().answeredAtDetach()).isEqualTo(2);
    }

    @Test
    void aMachineNoLongerFollowedLeavesItsGuestsAlone() {
        host.addMachine(machine);
        host.removeMachine(machine);
        VirtualIommu vm1 = guestWithTheNic();
        machine.addDevice(DeviceNode.parse(NODE));
        machine.removeDevice(NIC);
        assertThatThrownBy(() -> vm1.addDevice(NIC, 0x11)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("already a device of guest vm1");
    }
}
