package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualVtd;
import dev.faultline.viommu.VirtualVtdOptions;
import dev.faultline.viommu.internal.shell.ViommuCommands;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service gives a guest one virtual VT-d unit (or SMMUv3), lists its counters in the shell, and forgets it. */
class VirtualVtdServiceTest {
    private final VirtualIommuHost host = new VirtualIommuHost(GuestFollowsThePhysicalDeviceTest.frameworkContext(),
            GuestFollowsThePhysicalDeviceTest.configuration());
    private final GuestMemoryWindow ram = new GuestMemoryWindow(new PhysicalMemory(), 0, 1L << 20);

    @AfterEach
    void stop() {
        host.deactivate();
    }

    @Test
    void aGuestHasOneVirtualFrontEndWhoseRefusalsTheShellShowsUntilTheGuestCloses() {
        VirtualIommu vm2 = host.create("vm2", Set.of("vm2-nested"), ram);
        VirtualVtd vtd = host.createVtd(vm2, ram, (device, pasid, entry) -> { }, VirtualVtdOptions.STANDARD);
        assertThat(host.vtd("vm2")).containsSame(vtd);
        assertThat(vtd.options()).isEqualTo(VirtualVtdOptions.STANDARD);
        assertThatThrownBy(() -> host.createVtd(vm2, ram, (device, pasid, entry) -> { }, VirtualVtdOptions.STANDARD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a virtual VT-d unit");
        assertThatThrownBy(() -> host.createSmmuV3(vm2, ram, (device, ste) -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("already has a virtual VT-d unit");

        vtd.write64(RegisterMap.CAP, 0);                                   // a read-only register
        String shown = new ViommuCommands(host).vvtds();
        assertThat(shown.lines().findFirst()).hasValueSatisfying(h -> assertThat(h).matches("counter +vm2"));
        assertThat(shown).containsPattern("registerWritesRefused +1");
        assertThat(new ViommuCommands(host).vvtds("--json")).contains("\"guest\": \"vm2\"")
                .contains("\"registerWritesRefused\": 1");
        assertThat(new ViommuCommands(host).vsmmus()).doesNotContain("vm2");

        vm2.close();
        assertThat(host.vtd("vm2")).isEmpty();
        assertThatThrownBy(() -> host.createVtd(vm2, ram, (device, pasid, entry) -> { }, VirtualVtdOptions.STANDARD))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not an open virtual IOMMU");
    }

    @Test
    void optionsOutsideTheirRangesAreRefused() {
        assertThatThrownBy(() -> new VirtualVtdOptions(0, 48, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VirtualVtdOptions(257, 48, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VirtualVtdOptions(8, 38, false)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new VirtualVtdOptions(8, 53, false)).isInstanceOf(IllegalArgumentException.class);
    }
}
