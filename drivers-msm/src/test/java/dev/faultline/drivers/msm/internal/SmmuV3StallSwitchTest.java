package dev.faultline.drivers.msm.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.Stage1Tables;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The GPU's stall switch over {@link SmmuDomains}: when it is offered, and what it asks of the backend. */
class SmmuV3StallSwitchTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");

    /** An SMMUv3 backend that answers as scripted: can switch or not, or throws as an unknown device or a stop. */
    private static final class ScriptedDomains implements SmmuDomains {
        boolean switchable = true;
        RuntimeException failure;
        final List<String> calls = new ArrayList<>();

        @Override
        public boolean canSwitchStall(DeviceId device) {
            if (failure != null) {
                throw failure;
            }
            return switchable;
        }

        @Override
        public void setStall(DeviceId device, boolean stall) {
            if (failure != null) {
                throw failure;
            }
            calls.add(device + "=" + stall);
        }

        @Override
        public String iommuName() {
            return "smmuv3.0";
        }

        @Override
        public List<DeviceId> devices() {
            return List.of(GPU);
        }

        @Override
        public void attachStage1(DeviceId device, int pasid, Domain domain, Stage1Tables tables) {
            throw new AssertionError("the stall switch must not attach or detach");
        }

        @Override
        public void attachStage2(DeviceId device, Domain domain, Stage2Tables tables) {
            throw new AssertionError("the stall switch must not attach or detach");
        }

        @Override
        public void attachNested(DeviceId device, Domain domain, GuestStage1 guest, Stage2Tables tables) {
            throw new AssertionError("the stall switch must not attach or detach");
        }

        @Override
        public void detach(DeviceId device, int pasid) {
            throw new AssertionError("the stall switch must not attach or detach");
        }
    }

    private final ScriptedDomains domains = new ScriptedDomains();
    private final SmmuV3StallSwitch stallSwitch = new SmmuV3StallSwitch(domains, GPU);

    @Test
    void isOfferedOnlyWhileTheBackendCanSwitchTheGpusStall() {
        assertThat(stallSwitch.available()).isTrue();
        domains.switchable = false;
        assertThat(stallSwitch.available()).as("not a stall device, or STALL_MODEL 1 or 2").isFalse();
        domains.failure = new IllegalArgumentException("platform:gpu0 is not behind smmuv3.0");
        assertThat(stallSwitch.available()).isFalse();
        domains.failure = new IllegalStateException("smmuv3.0 driver is stopped");
        assertThat(stallSwitch.available()).isFalse();
    }

    @Test
    void switchesTheGpusStreamThroughTheBackend() {
        stallSwitch.setStall(false);
        stallSwitch.setStall(true);
        assertThat(domains.calls).containsExactly("platform:gpu0=false", "platform:gpu0=true");
        assertThat(stallSwitch.device()).isEqualTo(GPU);
    }

    @Test
    void aStoppedBackendIsNotAnErrorOnTheFaultPath() {
        domains.failure = new IllegalStateException("smmuv3.0 driver is stopped");
        stallSwitch.setStall(false);
        assertThat(domains.calls).isEmpty();
    }
}
