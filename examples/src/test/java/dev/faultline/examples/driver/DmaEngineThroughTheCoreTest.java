package dev.faultline.examples.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.testkit.backend.RecordingBackend;
import dev.faultline.testkit.scenario.Scenario;
import java.time.Duration;
import java.util.Map;
import java.util.NoSuchElementException;
import org.junit.jupiter.api.Test;

/** The DMA engine's handler behind the real core, driven by the test kit's scenario. */
class DmaEngineThroughTheCoreTest {
    private static final String ENGINE = "0000:00:05.0";
    private static final String OTHER = "0000:00:06.0";

    @Test
    void theCoreRoutesTheEnginesFaultsToItsHandlerAndSendsItsAnswer() throws InterruptedException {
        DmaEngineFaults driver = new DmaEngineFaults();
        try (StandaloneCore core = StandaloneCore.builder().start();
                Scenario scenario = Scenario.on(core.pipeline(), core.statistics()).iommu("smmu0")
                        .attach(ENGINE, Pasid.NONE, Domain.dma("dma0")).device(OTHER).start()) {
            core.register(driver, Map.of(HandlerProperties.DEVICE, ENGINE));
            assertThat(scenario.awaitServed("device " + ENGINE, Duration.ofSeconds(30)).state().name())
                    .isEqualTo("ACTIVE");

            assertThat(scenario.pageRequest(ENGINE, Pasid.NONE, 3, 0x4000_1000L, Permissions.WRITE))
                    .isEqualTo(ReportOutcome.DISPATCHED);
            assertThat(scenario.partialRequest(ENGINE, Pasid.NONE, 4, 0x4000_2000L, Permissions.READ))
                    .isEqualTo(ReportOutcome.PARKED);
            assertThat(scenario.pageRequest(ENGINE, Pasid.NONE, 4, 0x4000_3000L, Permissions.READ))
                    .isEqualTo(ReportOutcome.DISPATCHED);
            assertThat(scenario.unrecoverable(ENGINE, Pasid.NONE, 0xdead_0000L, Permissions.READ))
                    .isEqualTo(ReportOutcome.DELIVERED);
            assertThat(scenario.pageRequest(OTHER, Pasid.NONE, 1, 0x1000, Permissions.READ))
                    .as("a device nobody serves").isEqualTo(ReportOutcome.NO_HANDLER);

            assertThat(scenario.backend().responses()).extracting(RecordingBackend.Response::groupId,
                    RecordingBackend.Response::code).containsExactly(
                            org.assertj.core.groups.Tuple.tuple(3, ResponseCode.INVALID),
                            org.assertj.core.groups.Tuple.tuple(4, ResponseCode.INVALID),
                            org.assertj.core.groups.Tuple.tuple(1, ResponseCode.INVALID));
            assertThat(driver.faults()).isEqualTo(3);
            assertThat(driver.lastAddress()).isEqualTo(0xdead_0000L);

            FaultCounts engine = scenario.counts(ENGINE);
            assertThat(engine.reported()).isEqualTo(4);
            assertThat(engine.parked()).isEqualTo(1);
            assertThat(engine.groups()).isEqualTo(2);
            assertThat(engine.answeredInvalid()).isEqualTo(2);
            assertThat(engine.delivered()).isEqualTo(1);
            assertThat(engine.balanced()).isTrue();
            assertThat(scenario.counts(OTHER).noHandler()).isEqualTo(1);
            assertThat(scenario.totals().balanced()).isTrue();
        }
    }

    @Test
    void aScenarioNamesItsMistakesAndItsIommuLeavesWithIt() throws InterruptedException {
        try (StandaloneCore core = StandaloneCore.builder().start()) {
            try (Scenario scenario = Scenario.on(core.pipeline()).device(ENGINE).start()) {
                assertThatThrownBy(() -> scenario.device(OTHER)).isInstanceOf(NoSuchElementException.class)
                        .hasMessageContaining(OTHER);
                assertThatThrownBy(scenario::totals).isInstanceOf(IllegalStateException.class)
                        .hasMessageContaining("without the core's FaultStatistics");
                assertThatThrownBy(() -> Scenario.on(core.pipeline()).device(ENGINE).start())
                        .as("the device is present on the first scenario's IOMMU")
                        .isInstanceOf(IllegalStateException.class);
            }
            assertThat(core.statistics().devices()).allSatisfy(d -> assertThat(d.present()).isFalse());
            try (Scenario again = Scenario.on(core.pipeline(), core.statistics()).device(ENGINE).start()) {
                assertThatThrownBy(() -> again.awaitServed("device " + ENGINE, Duration.ofMillis(20)))
                        .isInstanceOf(AssertionError.class).hasMessageContaining("no active handler serves");
            }
        }
    }
}
