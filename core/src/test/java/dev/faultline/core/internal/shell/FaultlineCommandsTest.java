package dev.faultline.core.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.PendingGroup;
import dev.faultline.core.shell.UsageException;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultlineCommandsTest {
    private static final FaultCounts BALANCED = FaultCounts.builder().reported(3).parked(1).dispatched(2).groups(2).answeredSuccess(1).pending(1)
            .build();
    private static final FaultCounts UNBALANCED = FaultCounts.builder().reported(3).dispatched(2).groups(2).answeredSuccess(1).build();
    private static final FaultCounts STALE = FaultCounts.builder().reported(9).dispatched(9).groups(9).answeredSuccess(9).build();

    /** Statistics with fixed answers: a device present, and a removed copy of another. */
    private static FaultStatistics fixed(FaultCounts totals) {
        return new FaultStatistics() {
            @Override
            public FaultCounts totals() {
                return totals;
            }

            @Override
            public List<DeviceStatus> devices() {
                return List.of(new DeviceStatus("0000:00:03.0", "smmu0", true, 1, totals),
                        new DeviceStatus("sid:0x42", "smmu0", false, 0, STALE));
            }

            @Override
            public List<HandlerStatus> handlers() {
                return List.of(HandlerStatus.builder().name("dev.example.Pager").bundle("dev.example").serviceId(42)
                        .domains(List.of("sva-5")).pasids(List.of(5, 0x1f)).dispatch("INLINE")
                        .timeoutMillis(1000).state(HandlerStatus.State.ACTIVE).counts(totals).build());
            }

            @Override
            public List<PendingGroup> pending() {
                return List.of(new PendingGroup("0000:00:03.0", 5, 0x1f, "gpu", false, 10_000_000, 90_000_000));
            }
        };
    }

    @Test
    void statsPrintsTheTotalsAndThePresentDevicesAndCountsTheRemovedOnes() {
        String text = new FaultlineCommands(fixed(BALANCED)).stats();

        assertThat(text).startsWith("totals:\ncounter                total\nbalanced               yes\nreported               3\n")
                .contains("devices:\ndevice        iommu  reported  no handler  groups  success  invalid  failure"
                        + "  pending  timed out  handler errors\n0000:00:03.0  smmu0         3           0       2"
                        + "        1        0        0        1          0               0\n")
                .doesNotContain("sid:0x42")
                .endsWith("1 removed device not listed (faultline:stats --all)\n");
        assertThat(new FaultlineCommands(fixed(UNBALANCED)).stats()).contains("balanced               NO\n");
    }

    @Test
    void statsAllListsRemovedDevicesMarkedAsSuch() {
        assertThat(new FaultlineCommands(fixed(BALANCED)).stats("--all")).contains("sid:0x42 (removed)  smmu0")
                .doesNotContain("not listed");
    }

    @Test
    void statsJsonHasEveryCounterUnderTotalsAndDevices() {
        String json = new FaultlineCommands(fixed(BALANCED)).stats("--json");

        assertThat(json).startsWith("{\n\"totals\": [\n  {\"balanced\": true, \"reported\": 3, \"parked\": 1,")
                .contains("\"lost_responses\": 0, \"answered_at_detach\": 0, \"stale_answers\": 0,"
                        + " \"answered_at_removal\": 0, \"answered_at_departure\": 0, \"mixed_pasid\": 0}")
                .contains("\"devices\": [\n  {\"device\": \"0000:00:03.0\", \"iommu\": \"smmu0\", \"present\": true,"
                        + " \"partials\": 1, \"reported\": 3,")
                .doesNotContain("sid:0x42");
    }

    @Test
    void statsOfOneDeviceShowsItRemovedOrNotAndNamesAnUnknownOne() {
        FaultlineCommands commands = new FaultlineCommands(fixed(BALANCED));

        assertThat(commands.stats("sid:0x42")).startsWith("devices:\n").contains("sid:0x42 (removed)")
                .doesNotContain("totals");
        assertThatThrownBy(() -> commands.stats("sid:0x43"))
                .hasMessage("the core has seen no device sid:0x43 (faultline:stats lists those it has)");
    }

    @Test
    void wrongArgumentsAreUsageErrors() {
        FaultlineCommands commands = new FaultlineCommands(fixed(BALANCED));

        assertThatThrownBy(() -> commands.stats("a", "b")).isInstanceOf(UsageException.class)
                .hasMessage("too many arguments: a b\nusage: faultline:stats [--json] [--all] [<device>]");
        assertThatThrownBy(() -> commands.pending("--all")).isInstanceOf(UsageException.class)
                .hasMessage("unknown option --all\nusage: faultline:pending [--json]");
    }

    @Test
    void pendingAndHandlersAreTablesWithHexPasids() {
        FaultlineCommands commands = new FaultlineCommands(fixed(BALANCED));

        assertThat(commands.pending()).isEqualTo("""
                pending:
                device        group  pasid  handler  queued  age ms  remaining ms
                0000:00:03.0      5  0x1f   gpu      false       10            90

                changes of owner:
                answered at detach  stale answers  answered at removal  answered at departure
                                 0              0                    0                      0
                """);
        assertThat(commands.handlers()).isEqualTo("""
                handler            bundle       serves                         dispatch  state   standing  groups\
                  answered  timed out  errors
                dev.example.Pager  dev.example  domain sva-5, pasids 0x5,0x1f  INLINE    ACTIVE  serves         2\
                         1          0       0
                """);
        assertThat(commands.handlers("--json")).contains("\"pasids\": [5, 31]", "\"service id\": 42");
    }
}
