package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.util.List;
import org.junit.jupiter.api.Test;

class VtdCommandsTest {

    @Test
    void listsEachUnitWithItsAttachmentsAndCounters() {
        try (DriverRig rig = new DriverRig()) {
            rig.start();
            FirstLevelPageTable table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
            rig.driver.attach(new PciRequesterId(0, 3, 0, 0), 5, Domain.sva("proc"), table.root());
            rig.driver.attach(new PciRequesterId(0, 3, 1, 0), -1, Domain.nested("vm1-vf", "vm1"), table.root());
            VtdCommands commands = new VtdCommands();
            commands.bindIommu(rig.driver);

            List<VtdStatus> all = commands.vtd();
            assertThat(all).hasSize(1);
            VtdStatus status = all.get(0);
            assertThat(status.unit()).isEqualTo("dmar0");
            assertThat(status.translating()).isTrue();
            assertThat(status.attachments()).containsExactly("0000:03:00.0 pasid 0x5 -> sva proc",
                    "0000:03:01.0 pasid none -> nested vm1-vf guest vm1");
            assertThat(status.driver().responsesSent()).isZero();
            assertThat(commands.vtd("dmar0")).isEqualTo(all);
            assertThat(commands.vtd("dmar7")).isEmpty();

            commands.unbindIommu(rig.driver);
            assertThat(commands.vtd()).isEmpty();
        }
    }
}
