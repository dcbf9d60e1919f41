package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.platform.SlotWords;

/**
 * Coverage-guided fuzzing (Jazzer) of the SMMUv3 command queue: the input is a run of raw 16-byte commands
 * (responses a driver or a vIOMMU forwarding a guest's answer might write). Each decodes to a command that
 * re-encodes to itself, and the SMMU either executes it or stops the queue on it with a command error that the
 * driver acknowledges, as Linux does, to get past it; nothing is thrown at the register write.
 *
 * <p>A normal build runs the committed corpus ({@code CommandQueueFuzzTestInputs}); {@code JAZZER_FUZZ=1}
 * fuzzes for {@code maxDuration}.
 */
class CommandQueueFuzzTest {
    private static final int MAX_COMMANDS = 64;

    @FuzzTest(maxDuration = "10s")
    void anyCommandIsExecutedOrStopsTheQueueUntilAcknowledged(byte[] input) {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults(), 4, 4, 3);
        int commands = Math.min(MAX_COMMANDS, SlotWords.slots(input, Command.DWORDS));
        int errors = 0;
        for (int i = 0; i < commands; i++) {
            long dw0 = SlotWords.word(input, 2 * i);
            long dw1 = SlotWords.word(input, 2 * i + 1);
            Command command = Command.decode(dw0, dw1);
            assertThat(Command.decode(command.dw0(), command.dw1())).isEqualTo(command);
            assertThat(command.opcode()).isEqualTo(Command.opcode(dw0));

            rig.submitRaw(dw0, dw1);
            int cons = rig.smmu.read32(SmmuRegisters.CMDQ_CONS);
            if ((cons >>> 24 & 0x7f) != SmmuRegisters.CERROR_NONE) {
                errors++;
                int gerror = rig.smmu.read32(SmmuRegisters.GERROR);
                assertThat((gerror ^ rig.smmu.read32(SmmuRegisters.GERRORN)) & SmmuRegisters.GERROR_CMDQ_ERR)
                        .as("a stopped command queue is signalled in GERROR").isNotZero();
                // Linux (arm_smmu_cmdq_skip_err): overwrite the bad command with CMD_SYNC, then acknowledge
                long slot = rig.cmdq + 16L * QueuePointer.index(cons, rig.cmdqLog2);
                rig.memory.write64(slot, Command.Sync.sev().dw0());
                rig.memory.write64(slot + 8, 0);
                rig.smmu.write32(SmmuRegisters.GERRORN, gerror);
            }
            assertThat(rig.smmu.read32(SmmuRegisters.CMDQ_CONS))
                    .as("every command up to PROD is consumed").isEqualTo(rig.smmu.read32(SmmuRegisters.CMDQ_PROD));
        }
        assertThat(rig.smmu.statistics().commandErrors()).isEqualTo(errors);
    }
}
