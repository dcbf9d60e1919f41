package dev.faultline.itests.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.testkit.backend.RecordingBackend;
import dev.faultline.testkit.scenario.Scenario;
import java.time.Duration;
import java.util.Hashtable;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The test kit as a bundle in a framework: a scenario reports to the core's services, a handler service answers. */
class ScenarioOSGiTest {
    private static final String DEVICE = "0000:0b:00.0";

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

    @Test
    void aScenarioDrivesTheCoreServiceToAHandlerService() throws InterruptedException {
        assertThat(FrameworkUtil.getBundle(Scenario.class).getSymbolicName()).isEqualTo("dev.faultline.testkit");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DOMAIN, "testkit-dma");
        ServiceRegistration<FaultHandler> reg = context.registerService(FaultHandler.class,
                group -> group.respond(group.permissions(0).equals(Permissions.READ) ? ResponseCode.SUCCESS
                        : ResponseCode.INVALID), props);
        try (Scenario scenario = Scenario.on(pipeline, statistics).iommu("itest-testkit")
                .attach(DEVICE, Pasid.NONE, Domain.dma("testkit-dma")).start()) {
            scenario.awaitServed("domain testkit-dma", Duration.ofSeconds(30));

            assertThat(scenario.pageRequest(DEVICE, Pasid.NONE, 1, 0x1000, Permissions.READ))
                    .isEqualTo(ReportOutcome.DISPATCHED);
            assertThat(scenario.pageRequest(DEVICE, Pasid.NONE, 2, 0x2000, Permissions.WRITE))
                    .isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(scenario.backend().responses()).extracting(RecordingBackend.Response::groupId,
                    RecordingBackend.Response::code).containsExactly(
                            org.assertj.core.groups.Tuple.tuple(1, ResponseCode.SUCCESS),
                            org.assertj.core.groups.Tuple.tuple(2, ResponseCode.INVALID));
            FaultCounts counts = scenario.counts(DEVICE);
            assertThat(counts.groups()).isEqualTo(2);
            assertThat(counts.answeredSuccess()).isEqualTo(1);
            assertThat(counts.balanced()).isTrue();
        } finally {
            reg.unregister();
        }
    }
}
