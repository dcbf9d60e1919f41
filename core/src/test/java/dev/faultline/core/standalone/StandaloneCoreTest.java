package dev.faultline.core.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StandaloneCoreTest {
    private final List<String> responses = new CopyOnWriteArrayList<>();
    private final IommuBackend backend = new IommuBackend() {
        @Override
        public String name() {
            return "smmu0";
        }

        @Override
        public void sendPageResponse(DeviceId device, PageResponse r) {
            responses.add(device + " grp " + r.groupId() + " " + r.code());
        }
    };

    @Test
    void routesAFaultToARegisteredHandlerAndSendsItsAnswer() {
        try (StandaloneCore core = StandaloneCore.builder().start()) {
            core.register(g -> g.respond(ResponseCode.SUCCESS), Map.of(HandlerProperties.DOMAIN, "dma0"));
            IommuPort port = core.pipeline().connect(backend);
            DevicePort dev = port.addDevice(new StreamId(0x10));
            dev.attach(Pasid.NONE, Domain.dma("dma0"));
            assertThat(dev.reportPageRequest(Pasid.NONE, 3, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x1000, 0, 0))
                    .isEqualTo(ReportOutcome.DISPATCHED);
            assertThat(responses).containsExactly("sid:0x10 grp 3 SUCCESS");
            assertThat(core.statistics().totals().answeredSuccess()).isEqualTo(1);
        }
    }

    @Test
    void unregisteringAHandlerAnswersTheDeferredGroupsItLeftInvalidWhenItsCleanUpWindowEnds()
            throws InterruptedException {
        List<DeferredGroup> held = new ArrayList<>();
        try (StandaloneCore core = StandaloneCore.builder().start()) {
            long id = core.register(g -> held.add(g.defer()), Map.of(HandlerProperties.DOMAIN, "dma0"));
            DevicePort dev = core.pipeline().connect(backend).addDevice(new StreamId(0x11));
            dev.attach(Pasid.NONE, Domain.dma("dma0"));
            dev.reportPageRequest(Pasid.NONE, 9, PageRequest.FLAG_LAST_PAGE, Permissions.WRITE, 0x2000, 0, 0);
            assertThat(responses).isEmpty();
            core.unregister(id);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (responses.isEmpty() && System.nanoTime() - deadline < 0) {
                Thread.sleep(5);
            }
            assertThat(responses).containsExactly("sid:0x11 grp 9 INVALID");
            assertThat(held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        }
    }

    @Test
    void badSettingsFallBackToDefaultsAndSayWhy() {
        List<String> log = new CopyOnWriteArrayList<>();
        try (StandaloneCore core = StandaloneCore.builder().queueDepth(0).log(log::add).start()) {
            assertThat(core.statistics().totals().reported()).isZero();
        }
        assertThat(log).anySatisfy(l -> assertThat(l).contains("queue.depth = 0").contains("default 256"));
    }

    @Test
    void deviceChurnKeepsTotalsBalancedWithoutListingEveryRemovedDevice() {
        try (StandaloneCore core = StandaloneCore.builder().start()) {
            IommuPort port = core.pipeline().connect(backend);
            for (int i = 0; i < 500; i++) {
                DevicePort dev = port.addDevice(new StreamId(0x1000 + i));
                dev.reportPageRequest(Pasid.NONE, 1, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0, 0, 0);
                dev.remove();
            }
            assertThat(core.statistics().devices()).hasSizeLessThanOrEqualTo(64);
            assertThat(core.statistics().totals().reported()).isEqualTo(500);
            assertThat(core.statistics().totals().noHandler()).isEqualTo(500);
            assertThat(core.statistics().totals().balanced()).isTrue();
            assertThat(responses).hasSize(500).allSatisfy(r -> assertThat(r).endsWith("INVALID"));
        }
    }
}
