package ${package};

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.testkit.scenario.Scenario;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/**
 * The bundle in a real framework next to the Faultline core: Declarative Services registers the handler, the core
 * takes it in, and a fault of the device reaches it.
 */
class DeviceFaultsOSGiTest {
    private static final String DEVICE = "${device}";

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

    @Test
    void theDevicesFaultsReachTheHandlerComponent() throws InterruptedException {
        try (Scenario scenario = Scenario.on(pipeline, statistics).device(DEVICE).start()) {
            HandlerStatus handler = scenario.awaitServed("device " + DEVICE, Duration.ofSeconds(30));
            assertThat(handler.name()).isEqualTo("${package}.DeviceFaults");

            assertThat(scenario.pageRequest(DEVICE, Pasid.NONE, 1, 0x1000, Permissions.READ))
                    .isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(scenario.backend().single().code()).isEqualTo(ResponseCode.INVALID);
            assertThat(scenario.counts(DEVICE).balanced()).isTrue();
        }
    }
}
