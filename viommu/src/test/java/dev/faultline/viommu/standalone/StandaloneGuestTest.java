package dev.faultline.viommu.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.PageRequestEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** A guest built without the framework: its handler, its vIOMMU and its virtual SMMUv3 are one guest's. */
class StandaloneGuestTest {
    private static final DeviceId VF = DeviceId.parse("0000:07:00.0");
    private static final GuestLimits ROOMY = new GuestLimits(16, 16, 0, 1, 0);

    private final AtomicLong clock = new AtomicLong();
    private final List<String> bound = new ArrayList<>();
    private final StandaloneGuest vm = new StandaloneGuest("vm1", "vm1-nested",
            new GuestMemoryWindow(new PhysicalMemory(), 0x4000_0000L, 16L << 20), ROOMY, clock::get,
            (device, ste) -> bound.add(device.toString()));

    @Test
    void aPageRequestGroupTheCoreHandsTheHandlerReachesTheGuestAndItsAnswerReachesTheDeviceOnce() {
        vm.viommu().addDevice(VF, 0x81);
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(VF, Pasid.NONE, 3, 0x7000_0000L,
                Permissions.READ);

        vm.handler().handle(group);

        assertThat(group.deferred()).as("the guest answers later, through its vIOMMU").isTrue();
        List<GuestEvent> events = vm.viommu().poll(4);
        assertThat(events).singleElement().isInstanceOfSatisfying(PageRequestEvent.class,
                e -> assertThat(e.virtualDevice()).isEqualTo(0x81));
        int cookie = ((PageRequestEvent) events.get(0)).cookie();
        assertThat(vm.viommu().respond(cookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(vm.viommu().respond(cookie, 0)).isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
    }

    @Test
    void theVirtualSmmuIsThisGuestsAndStartsWithNothingDelivered() {
        assertThat(vm.smmu().viommu()).isSameAs(vm.viommu());
        assertThat(vm.viommu().name()).isEqualTo("vm1");
        assertThat(vm.smmu().statistics().stesInstalled()).isZero();
        assertThat(bound).as("no STE installed yet").isEmpty();
    }
}
