package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver's command queue against the hardware model: wrap, sync, and Linux's error recovery. */
class CommandQueueTest {
    private final Machine machine = Machine.create("m", 0x4000_0000L, 0x100_0000L);
    private final Smmu smmu = new Smmu("smmuv3.0", SmmuFeatures.defaults(), machine.memory());
    private final RecordingLog log = new RecordingLog();
    private final CommandQueue queue = new CommandQueue(smmu, "arm-smmu-v3 smmuv3.0: ", log,
            TimeUnit.MILLISECONDS.toNanos(200));
    private long base;

    @BeforeEach
    void enable() {
        base = machine.frames().allocate(16 * 8, 128) | 3; // 8 commands
        smmu.write64(SmmuRegisters.CMDQ_BASE, base);
        smmu.write32(SmmuRegisters.CR0, SmmuRegisters.CR0_CMDQEN);
        queue.use(base, 3, 0);
    }

    @Test
    void commandsAndSyncsWrapAroundTheRing() {
        for (int i = 0; i < 20; i++) {
            Command.ConfigInvalidation c = Command.ConfigInvalidation.ste(i);
            assertThat(queue.issueAndSync(c.dw0(), c.dw1())).isTrue();
        }
        assertThat(smmu.statistics().commandsConsumed()).isEqualTo(40);
        assertThat(smmu.read32(SmmuRegisters.CMDQ_CONS)).isEqualTo(smmu.read32(SmmuRegisters.CMDQ_PROD));
        assertThat(queue.failures()).containsExactly(0, 0);
    }

    @Test
    void illegalCommandIsSkippedAsLinuxDoesAndTheQueueGoesOn() {
        assertThat(queue.issueAndSync(0x99, 0x1234)).isTrue();
        assertThat(log.lines()).containsExactly(
                "arm-smmu-v3 smmuv3.0: CMDQ error (cons 0x01000000): Illegal command",
                "arm-smmu-v3 smmuv3.0: skipping command in error state:",
                "arm-smmu-v3 smmuv3.0: \t0x0000000000000099",
                "arm-smmu-v3 smmuv3.0: \t0x0000000000001234");
        assertThat(smmu.read32(SmmuRegisters.GERROR) ^ smmu.read32(SmmuRegisters.GERRORN)).isZero();
        assertThat(queue.failures()).containsExactly(0, 1);
        assertThat(queue.sync()).isTrue();
    }

    @Test
    void aStoppedQueueIsReportedAsATimeoutNotAHang() {
        smmu.write32(SmmuRegisters.CR0, 0); // the SMMU no longer consumes
        assertThat(queue.sync()).isFalse();
        assertThat(log.lines()).anyMatch(l -> l.contains("CMD_SYNC timeout"));
        assertThat(queue.failures()[0]).isEqualTo(1);
    }
}
