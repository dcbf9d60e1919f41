package dev.faultline.smmuv3.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.core.shell.UsageException;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.smmuv3.standalone.StandaloneSmmu;
import org.junit.jupiter.api.Test;

class SmmuCommandsTest {

    @Test
    void smmuCommandShowsStreamsAttachmentsAndCountersAsTables() {
        Machine machine = Machine.create("test", 0x4000_0000L, 0x1000_0000L);
        Smmu hardware = new Smmu("smmuv3.0", SmmuFeatures.defaults(), machine.memory());
        machine.addIommu(hardware);
        machine.addDevice(DeviceNode.parse("platform:gpu0@smmuv3.0:0x42:stall"));
        machine.addDevice(DeviceNode.parse("platform:dsp0@smmuv3.0:0x60"));
        try (StandaloneCore core = StandaloneCore.builder().start();
                StandaloneSmmu smmu = StandaloneSmmu.builder(hardware, machine, core.pipeline()).start()) {
            smmu.domains().attachStage1(DeviceId.parse("platform:gpu0"), 3, Domain.sva("ctx3"),
                    TranslationTable.stage1(machine.frames(), 48));
            SmmuCommands commands = new SmmuCommands();
            commands.bindDomains(smmu.domains());

            String text = commands.smmu();

            assertThat(text).startsWith("smmus:\nsmmu      streams  stalled  took over\nsmmuv3.0        2        0  false\n")
                    .contains("streams:\nsmmu      device         stream id  mode       attached\n")
                    .contains("smmuv3.0  platform:gpu0  0x42       STALL      s1 0x3=ctx3\n")
                    .contains("smmuv3.0  platform:dsp0  0x60       TERMINATE  (blocked)\n")
                    .contains("driver:\ndriver counter ", "hardware:\nhardware counter ")
                    .containsPattern("\ncommandsConsumed +[1-9]");
            assertThat(text.lines()).allSatisfy(l -> assertThat(l.length()).isLessThan(120));
            assertThat(commands.smmu("--json", "smmuv3.0")).startsWith("{\n\"smmus\": [\n  {\"smmu\": \"smmuv3.0\","
                    + " \"streams\": 2, \"stalled\": 0, \"took over\": false}\n],")
                    .contains("\"hardware\": [\n  {\"smmu\": \"smmuv3.0\", \"transactions\": ");
            assertThatThrownBy(() -> commands.smmu("smmuv3.9"))
                    .hasMessage("no SMMUv3 smmuv3.9 (the backend drives [smmuv3.0])");
            assertThatThrownBy(() -> commands.smmu("a", "b")).isInstanceOf(UsageException.class)
                    .hasMessageEndingWith("usage: faultline:smmu [--json] [<smmu>]");
        }
    }
}
