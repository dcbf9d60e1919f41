package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.internal.shell.ViommuCommands;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service gives a guest one virtual SMMUv3, lists its counters in the shell, and forgets it with the guest. */
class VirtualSmmuV3ServiceTest {
    private final VirtualIommuHost host = new VirtualIommuHost(GuestFollowsThePhysicalDeviceTest.frameworkContext(),
            GuestFollowsThePhysicalDeviceTest.configuration());
    private final GuestMemoryWindow ram = new GuestMemoryWindow(new PhysicalMemory(), 0, 1L << 20);

    @AfterEach
    void stop() {
        host.deactivate();
    }

    @Test
    void aGuestHasOneVirtualSmmuV3WhoseRefusalsTheShellShowsUntilTheGuestCloses() {
        VirtualIommu vm1 = host.create("vm1", Set.of("vm1-nested"), ram);
        VirtualSmmuV3 smmu = host.createSmmuV3(vm1, ram, (device, ste) -> { });
        assertThat(host.smmuV3("vm1")).containsSame(smmu);
        assertThatThrownBy(() -> host.createSmmuV3(vm1, ram, (device, ste) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a virtual SMMUv3");

        smmu.write32(SmmuRegisters.IDR0, 0);                          // a read-only register
        String shown = new ViommuCommands(host).vsmmus();
        assertThat(shown.lines().findFirst()).hasValueSatisfying(h -> assertThat(h).matches("counter +vm1"));
        assertThat(shown).containsPattern("registerWritesRefused +1");
        assertThat(new ViommuCommands(host).vsmmus("--json")).contains("\"guest\": \"vm1\"")
                .contains("\"registerWritesRefused\": 1");

        vm1.close();
        assertThat(host.smmuV3("vm1")).isEmpty();
        assertThatThrownBy(() -> host.createSmmuV3(vm1, ram, (device, ste) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an open virtual IOMMU");
    }
}
