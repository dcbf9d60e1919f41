package dev.faultline.itests.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.itests.Services;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The core bundle in a real framework: handlers come and go as services, backends report through the pipeline. */
class FaultPipelineOSGiTest {
    /** What the tests compare of a page response: the device, the group and the answer. */
    private static final Function<RecordingBackend.Response, Tuple> SENT =
            r -> tuple(r.device(), r.groupId(), r.code());

    private static final DeviceId GPU = DeviceId.parse("0000:01:00.0");

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

    private final RecordingBackend backend = new RecordingBackend("itest-smmu");
    private IommuPort iommu;
    private DevicePort gpu;

    @BeforeEach
    void connect() {
        iommu = pipeline.connect(backend);
        gpu = iommu.addDevice(GPU);
        gpu.attach(Pasid.NONE, Domain.unmanaged("gpu0"));
    }

    @AfterEach
    void disconnect() {
        iommu.close();
    }

    private ServiceRegistration<FaultHandler> register(FaultHandler handler, int ranking) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DOMAIN, "gpu0");
        props.put("service.ranking", ranking);
        return context.registerService(FaultHandler.class, handler, props);
    }

    private ReportOutcome reportLast(int group) {
        return gpu.reportPageRequest(Pasid.NONE, group, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x4000, 0, 0);
    }

    @Test
    void aRegisteredHandlerServiceReceivesTheFaultsOfItsDomain() {
        List<String> seen = new CopyOnWriteArrayList<>();
        ServiceRegistration<FaultHandler> reg = register(group -> {
            seen.add(group.device() + " " + group.groupId() + " " + group.size());
            group.respond(ResponseCode.SUCCESS);
        }, 0);
        try {
            gpu.reportPageRequest(Pasid.NONE, 3, 0, Permissions.READ, 0x3000, 0, 0);
            assertThat(reportLast(3)).isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(seen).containsExactly("0000:01:00.0 3 2");
            assertThat(backend.responses()).extracting(SENT).containsExactly(tuple(GPU, 3, ResponseCode.SUCCESS));
            assertThat(statistics.handlers()).anySatisfy(h -> {
                assertThat(h.domains()).containsExactly("gpu0");
                assertThat(h.bundle()).isEqualTo("dev.faultline.itests-tests");
                assertThat(h.counts().answeredSuccess()).isEqualTo(1);
            });
        } finally {
            reg.unregister();
        }
    }

    @Test
    void unregisteringAHandlerAnswersItsPendingGroupsAndAnotherTakesOver() {
        List<DeferredGroup> held = new CopyOnWriteArrayList<>();
        ServiceRegistration<FaultHandler> deferring = register(group -> held.add(group.defer()), 10);
        ServiceRegistration<FaultHandler> standby = register(group -> group.respond(ResponseCode.SUCCESS), 0);
        try {
            reportLast(1);
            reportLast(2);
            assertThat(backend.responses()).isEmpty();
            assertThat(statistics.pending()).hasSize(2);

            deferring.unregister();
            // the departed handler's clean-up window: its held groups are still its own to answer
            assertThat(held.get(1).respond(ResponseCode.SUCCESS)).isTrue();
            Services.await(() -> backend.responses().size() == 2);

            assertThat(backend.responses()).extracting(RecordingBackend.Response::code)
                    .containsExactly(ResponseCode.SUCCESS, ResponseCode.INVALID);
            assertThat(statistics.pending()).isEmpty();
            assertThat(held.get(0).respond(ResponseCode.SUCCESS)).isFalse();

            reportLast(3);
            assertThat(backend.responses()).element(2).extracting(SENT)
                    .isEqualTo(tuple(GPU, 3, ResponseCode.SUCCESS));
        } finally {
            standby.unregister();
        }
    }

    @Test
    void answersInvalidWhenNoHandlerServesTheDomain() {
        gpu.attach(Pasid.NONE, Domain.unmanaged("served-by-nobody"));

        assertThat(reportLast(7)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(backend.responses()).extracting(SENT).containsExactly(tuple(GPU, 7, ResponseCode.INVALID));
    }

    @Test
    void theStatisticsBalanceAfterATurnOfEveryKind() {
        // the device's counters go on from the earlier tests' (the same IOMMU reconnects for each test)
        FaultCounts before = statistics.devices().stream()
                .filter(d -> d.device().equals(GPU.toString()) && d.present()).findFirst().orElseThrow().counts();
        ServiceRegistration<FaultHandler> reg = register(group -> {
            if (group.groupId() % 2 == 0) {
                throw new IllegalStateException("even groups are a bug");
            }
            group.respond(ResponseCode.SUCCESS);
        }, 0);
        try {
            for (int g = 0; g < 6; g++) {
                reportLast(g);
            }
        } finally {
            reg.unregister();
        }

        assertThat(statistics.totals().balanced()).isTrue();
        assertThat(statistics.devices()).filteredOn(d -> d.device().equals(GPU.toString()) && d.present())
                .singleElement().satisfies(d -> {
                    assertThat(d.counts().answeredSuccess() - before.answeredSuccess()).isEqualTo(3);
                    assertThat(d.counts().answeredFailure() - before.answeredFailure()).isEqualTo(3);
                    assertThat(d.counts().handlerErrors() - before.handlerErrors()).isEqualTo(3);
                    assertThat(d.counts().balanced()).isTrue();
                });
    }
}
