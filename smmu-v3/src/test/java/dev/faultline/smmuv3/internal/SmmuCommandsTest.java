package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SmmuCommandsTest {

    @Test
    void smmuCommandShowsStreamsAttachmentsAndCounters() {
        try (BackendRig rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall", "platform:dsp0@smmuv3.0:0x60")) {
            rig.start();
            rig.driver.attachStage1(DeviceId.parse("platform:gpu0"), 3, Domain.sva("ctx3"), rig.stage1());
            SmmuCommands commands = new SmmuCommands(() -> Map.of("smmuv3.0", rig.driver));

            SmmuStatus status = commands.smmu().get(0);

            assertThat(status.name()).isEqualTo("smmuv3.0");
            assertThat(status.streams()).containsExactlyInAnyOrder(
                    new SmmuStatus.StreamStatus("platform:gpu0", "0x42", "STALL", "s1 0x3=ctx3"),
                    new SmmuStatus.StreamStatus("platform:dsp0", "0x60", "TERMINATE", "(blocked)"));
            assertThat(status.hardware().commandsConsumed()).isPositive();
            assertThat(status.driver().tookOver()).isFalse();
            assertThat(commands.smmu("smmuv3.0")).extracting(SmmuStatus::name).containsExactly("smmuv3.0");
            assertThat(commands.smmu("smmuv3.9")).isEmpty();
        }
    }
}
