package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.testkit.group.RecordingFaultGroup;
import dev.faultline.testkit.scenario.Scenario;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The handler alone with the test kit's recording group, then behind a real core on the class path. */
class DeviceFaultsTest {
    private static final String DEVICE = "${device}";

    private final DeviceFaults handler = new DeviceFaults();

    @Test
    void answersAPageRequestGroupInvalidOnce() {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DeviceId.parse(DEVICE), Pasid.NONE, 1, 0x1000,
                Permissions.READ);

        handler.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(handler.pageRequestGroups()).isEqualTo(1);
    }

    @Test
    void countsAnUnrecoverableFaultWithoutAnsweringIt() {
        RecordingFaultGroup fault = RecordingFaultGroup.unrecoverable(DeviceId.parse(DEVICE), 0x2000,
                Permissions.WRITE);

        handler.handle(fault);

        assertThat(fault.answers()).isEmpty();
        assertThat(handler.unrecoverable()).isEqualTo(1);
    }

    @Test
    void theCoreSendsTheHandlersAnswerToTheIommu() throws InterruptedException {
        try (StandaloneCore core = StandaloneCore.builder().start();
                Scenario scenario = Scenario.on(core.pipeline(), core.statistics()).device(DEVICE).start()) {
            core.register(handler, Map.of(HandlerProperties.DEVICE, DEVICE));
            scenario.awaitServed("device " + DEVICE, Duration.ofSeconds(30));

            assertThat(scenario.pageRequest(DEVICE, Pasid.NONE, 3, 0x3000, Permissions.WRITE))
                    .isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(scenario.backend().single().code()).isEqualTo(ResponseCode.INVALID);
            assertThat(scenario.counts(DEVICE).answeredInvalid()).isEqualTo(1);
            assertThat(scenario.counts(DEVICE).balanced()).isTrue();
        }
    }
}
