package dev.faultline.vtd.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.core.shell.UsageException;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.vtd.VtdIommu;
import dev.faultline.vtd.standalone.StandaloneVtd;
import org.junit.jupiter.api.Test;

class VtdCommandsTest {

    @Test
    void listsEachUnitWithItsAttachmentsAndCountersAsTables() {
        PhysicalMemory memory = new PhysicalMemory();
        FrameAllocator os = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
        RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, 8, 1L << 40), memory);
        try (StandaloneCore core = StandaloneCore.builder().start();
                StandaloneVtd dmar = StandaloneVtd.builder(unit, os, core.pipeline()).start()) {
            VtdIommu iommu = dmar.iommu();
            FirstLevelPageTable table = new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K);
            iommu.attach(new PciRequesterId(0, 3, 0, 0), 5, Domain.sva("proc"), table.root());
            iommu.attach(new PciRequesterId(0, 3, 1, 0), -1, Domain.nested("vm1-vf", "vm1"), table.root());
            VtdCommands commands = new VtdCommands();
            commands.bindIommu(iommu);

            String text = commands.vtd();

            assertThat(text).startsWith("units:\nunit   segment  translating  took over  attachments\n"
                            + "dmar0        0  true         false                2\n")
                    .contains("attachments:\nunit   attachment\ndmar0  0000:03:00.0 pasid 0x5 -> sva proc\n"
                            + "dmar0  0000:03:01.0 pasid none -> nested vm1-vf guest vm1\n")
                    .containsPattern("\nresponsesSent +0\n")
                    .contains("unit counter ");
            assertThat(commands.vtd("dmar0")).isEqualTo(text);
            assertThat(commands.vtd("--json")).contains("\"driver\": [\n  {\"unit\": \"dmar0\", \"pageRequestsReported\": 0,");
            assertThatThrownBy(() -> commands.vtd("dmar7")).hasMessage("no VT-d unit dmar7 (the backend drives [dmar0])");
            assertThatThrownBy(() -> commands.vtd("--all")).isInstanceOf(UsageException.class);

            commands.unbindIommu(iommu);
            assertThat(commands.vtd()).startsWith("units:\nunit  segment  translating  took over  attachments\n(none)\n");
        }
    }
}
