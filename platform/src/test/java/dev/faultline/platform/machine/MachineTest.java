package dev.faultline.platform.machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoMoreInteractions;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

class MachineTest {

    @Test
    void deviceNodesRoundTripTheirTextForm() {
        DeviceNode n = DeviceNode.parse("0000:03:00.0@smmuv3.0:0x300:pri");
        assertThat(n.id()).isEqualTo(new PciRequesterId(0, 3, 0, 0));
        assertThat(n.requesterId()).isEqualTo(0x300);
        assertThat(n.pri()).isTrue();
        assertThat(n.stallCapable()).isFalse();
        assertThat(DeviceNode.parse(n.toString())).isEqualTo(n);
        DeviceNode gpu = DeviceNode.parse("platform:gpu0@smmuv3.1:66:stall");
        assertThat(gpu.requesterId()).isEqualTo(66);
        assertThat(gpu.iommu()).isEqualTo("smmuv3.1");
    }

    @Test
    void malformedDeviceNodesAreRejectedWithTheExpectedForm() {
        assertThatThrownBy(() -> DeviceNode.parse("0000:03:00.0")).hasMessageContaining("<device id>@<iommu>");
        assertThatThrownBy(() -> DeviceNode.parse("sid:0x1@smmu:0x1:fast")).hasMessageContaining("unknown flag");
        assertThatThrownBy(() -> DeviceNode.parse("sid:0x1@smmu:zz")).hasMessageContaining("bad requester id");
    }

    @Test
    void topologyListsDevicesPerIommuAndNotifiesListeners() {
        Machine m = Machine.create("m", 0x4000_0000L, 0x10_0000);
        TopologyListener listener = mock(TopologyListener.class);
        m.addTopologyListener(listener);
        DeviceNode first = DeviceNode.parse("sid:0x1@a:1");
        DeviceNode second = DeviceNode.parse("sid:0x2@b:2");
        m.addDevice(first);
        m.addDevice(second);
        assertThat(m.devicesBehind("a")).extracting(DeviceNode::requesterId).containsExactly(1);
        assertThatThrownBy(() -> m.addDevice(DeviceNode.parse("sid:0x1@b:3"))).hasMessageContaining("already");
        assertThat(m.removeDevice(DeviceId.parse("sid:0x1"))).isTrue();
        assertThat(m.removeDevice(DeviceId.parse("sid:0x1"))).isFalse();
        InOrder order = inOrder(listener);
        order.verify(listener).deviceAdded(first);
        order.verify(listener).deviceAdded(second);
        order.verify(listener).deviceRemoved(first);
        verifyNoMoreInteractions(listener);
    }

    @Test
    void aListenerThatThrowsKeepsNoOtherFromHearingAndItsFailureIsRethrown() {
        Machine m = Machine.create("m", 0x4000_0000L, 0x10_0000);
        TopologyListener failing = mock(TopologyListener.class);
        doThrow(new IllegalStateException("stopped backend")).when(failing).deviceAdded(any());
        doThrow(new IllegalStateException("stopped backend")).when(failing).deviceRemoved(any());
        TopologyListener other = mock(TopologyListener.class);
        m.addTopologyListener(failing);
        m.addTopologyListener(other);
        DeviceNode node = DeviceNode.parse("sid:0x1@a:1");

        assertThatThrownBy(() -> m.addDevice(node)).hasMessage("stopped backend");
        assertThatThrownBy(() -> m.removeDevice(DeviceId.parse("sid:0x1"))).hasMessage("stopped backend");
        InOrder order = inOrder(other);
        order.verify(other).deviceAdded(node);
        order.verify(other).deviceRemoved(node);
        assertThat(m.devices()).isEmpty();
    }

    @Test
    void iommusAreInstalledOncePerName() {
        Machine m = Machine.create("m", 0x4000_0000L, 0x10_0000);
        Smmu smmu = new Smmu("smmuv3.0", SmmuFeatures.defaults(), m.memory());
        m.addIommu(smmu);
        assertThat(m.iommu("smmuv3.0")).containsSame(smmu);
        assertThatThrownBy(() -> m.addIommu(new Smmu("smmuv3.0", SmmuFeatures.defaults(), m.memory())))
                .isInstanceOf(IllegalStateException.class);
        m.removeIommu(smmu);
        assertThat(m.iommu("smmuv3.0")).isEmpty();
    }
}
