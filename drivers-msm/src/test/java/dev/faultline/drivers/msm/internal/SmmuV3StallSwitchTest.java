package dev.faultline.drivers.msm.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.when;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.smmuv3.SmmuDomains;
import org.junit.jupiter.api.Test;
import org.mockito.InOrder;

/** The GPU's stall switch over {@link SmmuDomains}: when it is offered, and what it asks of the backend. */
class SmmuV3StallSwitchTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");

    /** The SMMUv3 backend's attach service: what the switch asks of it, and how it answers. */
    private final SmmuDomains domains = mock(SmmuDomains.class);
    private final SmmuV3StallSwitch stallSwitch = new SmmuV3StallSwitch(domains, GPU);

    @Test
    void isOfferedOnlyWhileTheBackendCanSwitchTheGpusStall() {
        when(domains.canSwitchStall(GPU)).thenReturn(true, false)
                .thenThrow(new IllegalArgumentException("platform:gpu0 is not behind smmuv3.0"))
                .thenThrow(new IllegalStateException("smmuv3.0 driver is stopped"));
        assertThat(stallSwitch.available()).isTrue();
        assertThat(stallSwitch.available()).as("not a stall device, or STALL_MODEL 1 or 2").isFalse();
        assertThat(stallSwitch.available()).as("the GPU is not behind this SMMU").isFalse();
        assertThat(stallSwitch.available()).as("the SMMUv3 driver stopped").isFalse();
    }

    @Test
    void switchesTheGpusStreamThroughTheBackendAndNeverAttachesOrDetaches() {
        stallSwitch.setStall(false);
        stallSwitch.setStall(true);
        InOrder order = inOrder(domains);
        order.verify(domains).setStall(GPU, false);
        order.verify(domains).setStall(GPU, true);
        verifyNoMoreInteractions(domains);
        assertThat(stallSwitch.device()).isEqualTo(GPU);
    }

    @Test
    void aStoppedBackendIsNotAnErrorOnTheFaultPath() {
        doThrow(new IllegalStateException("smmuv3.0 driver is stopped")).when(domains).setStall(GPU, false);
        assertThatCode(() -> stallSwitch.setStall(false)).doesNotThrowAnyException();
        verify(domains).setStall(GPU, false);
    }
}
