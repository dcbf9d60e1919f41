package dev.faultline.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.PendingGroup;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultlineCommandsTest {
    private static final FaultCounts BALANCED = new FaultCounts(3, 1, 0, 0, 2, 0, 0, 0, 2, 1, 0, 0, 1, 0, 0, 0, 0, 0,
            0, 0);
    private static final FaultCounts UNBALANCED = new FaultCounts(3, 0, 0, 0, 2, 0, 0, 0, 2, 1, 0, 0, 0, 0, 0, 0, 0,
            0, 0, 0);

    /** Statistics with fixed answers. */
    private static FaultStatistics fixed(FaultCounts totals) {
        return new FaultStatistics() {
            @Override
            public FaultCounts totals() {
                return totals;
            }

            @Override
            public List<DeviceStatus> devices() {
                return List.of(new DeviceStatus("0000:00:03.0", "smmu0", true, 1, totals),
                        new DeviceStatus("sid:0x42", "smmu0", false, 0, totals));
            }

            @Override
            public List<HandlerStatus> handlers() {
                return List.of();
            }

            @Override
            public List<PendingGroup> pending() {
                return List.of(new PendingGroup("0000:00:03.0", 5, -1, "gpu", false, 10, 90));
            }
        };
    }

    @Test
    void statsReportsTheTotalsWhetherTheyBalanceAndEveryDevice() {
        FaultlineCommands.Report report = new FaultlineCommands(fixed(BALANCED)).stats();

        assertThat(report.balanced()).isTrue();
        assertThat(report.devices()).hasSize(2);
        assertThat(new FaultlineCommands(fixed(UNBALANCED)).stats().balanced()).isFalse();
    }

    @Test
    void statsOfOneDeviceFiltersByItsId() {
        assertThat(new FaultlineCommands(fixed(BALANCED)).stats("sid:0x42")).singleElement()
                .extracting(DeviceStatus::present).isEqualTo(false);
        assertThat(new FaultlineCommands(fixed(BALANCED)).stats("sid:0x43")).isEmpty();
    }

    @Test
    void pendingAndHandlersReturnTheStatistics() {
        FaultlineCommands commands = new FaultlineCommands(fixed(BALANCED));

        assertThat(commands.pending()).extracting(PendingGroup::groupId).containsExactly(5);
        assertThat(commands.handlers()).isEmpty();
    }
}
