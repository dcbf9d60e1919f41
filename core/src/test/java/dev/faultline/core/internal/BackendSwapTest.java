package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The carry-over rule of a backend swap: attachments survive it, pending groups do not. */
class BackendSwapTest {

    @Test
    void aDeviceAddedByTheNextBackendOfTheSameIommuKeepsItsAttachments() {
        try (Fixture f = new Fixture()) {
            AtomicInteger calls = new AtomicInteger();
            f.register(g -> {
                calls.incrementAndGet();
                g.respond(ResponseCode.SUCCESS);
            }, HandlerProperties.DOMAIN, "gpu0");
            f.device(DEV).attach(Pasid.NONE, Domain.unmanaged("gpu0"));
            f.iommu.close();

            IommuPort next = f.pipeline.connect(new RecordingBackend("iommu0"));
            DevicePort again = next.addDevice(DEV);
            assertThat(last(again, 7, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);
            assertThat(calls).hasValue(1);
        }
    }

    @Test
    void guestFaultsDrainedRightAfterASwapStayOffTheHostLog() {
        try (Fixture f = new Fixture()) {
            f.device(DEV).attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));
            f.iommu.close();
            DevicePort again = f.pipeline.connect(new RecordingBackend("iommu0")).addDevice(DEV);
            // no guest handler is registered (the VMM is restarting too): answered INVALID, never printed
            assertThat(last(again, 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
            assertThat(f.log.lines).isEmpty();
        }
    }

    @Test
    void pendingGroupsAreAnsweredAtTheSwapNotCarriedOver() {
        try (Fixture f = new Fixture()) {
            f.register(g -> g.defer(), HandlerProperties.DOMAIN, "dma0");
            f.device(DEV).attach(Pasid.NONE, Domain.dma("dma0"));
            last(f.device(DEV), 3, 0x1000);
            f.iommu.close();
            assertThat(f.backend.single().code()).isEqualTo(ResponseCode.INVALID);
            assertThat(f.pipeline.pending()).isEmpty();
        }
    }

    @Test
    void anotherIommuDoesNotInheritTheAttachments() {
        try (Fixture f = new Fixture()) {
            f.register(g -> g.respond(ResponseCode.SUCCESS), HandlerProperties.DOMAIN, "gpu0");
            f.device(DEV).attach(Pasid.NONE, Domain.unmanaged("gpu0"));
            f.iommu.close();
            DevicePort elsewhere = f.pipeline.connect(new RecordingBackend("iommu1")).addDevice(DEV);
            assertThat(last(elsewhere, 7, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
        }
    }

    @Test
    void aDevicesCountersGoOnAcrossASwapAndTheTotalsCountThemOnce() {
        try (Fixture f = new Fixture()) {
            f.register(g -> g.respond(ResponseCode.SUCCESS), HandlerProperties.DOMAIN, "gpu0");
            f.device(DEV).attach(Pasid.NONE, Domain.unmanaged("gpu0"));
            last(f.device(DEV), 1, 0x1000);
            last(f.device(DEV), 2, 0x2000);
            f.iommu.close();
            assertThat(f.pipeline.devices()).singleElement().satisfies(d -> assertThat(d.present()).isFalse());

            DevicePort again = f.pipeline.connect(new RecordingBackend("iommu0")).addDevice(DEV);
            last(again, 3, 0x3000);

            assertThat(f.pipeline.devices()).as("one device, before and after the swap").singleElement()
                    .satisfies(d -> {
                        assertThat(d.present()).isTrue();
                        assertThat(d.counts().reported()).isEqualTo(3);
                        assertThat(d.counts().answeredSuccess()).isEqualTo(3);
                        assertThat(d.counts().balanced()).isTrue();
                    });
            assertThat(f.pipeline.totals().reported()).isEqualTo(3);
            assertThat(f.pipeline.totals().balanced()).isTrue();
        }
    }

    @Test
    void countersGoOnAcrossManySwapsAndADeviceOnAnotherIommuStartsItsOwn() {
        try (Fixture f = new Fixture()) {
            last(f.device(DEV), 1, 0x1000);
            IommuPort current = f.iommu;
            for (int swap = 0; swap < 5; swap++) {
                current.close();
                current = f.pipeline.connect(new RecordingBackend("iommu0"));
                last(current.addDevice(DEV), 1, 0x1000);
            }
            assertThat(f.pipeline.devices()).singleElement()
                    .satisfies(d -> assertThat(d.counts().noHandler()).isEqualTo(6));

            current.close();
            DevicePort elsewhere = f.pipeline.connect(new RecordingBackend("iommu1")).addDevice(DEV);
            last(elsewhere, 1, 0x1000);
            assertThat(f.pipeline.devices()).hasSize(2).anySatisfy(d -> {
                assertThat(d.present()).isTrue();
                assertThat(d.iommu()).isEqualTo("iommu1");
                assertThat(d.counts().reported()).isEqualTo(1);
            }).anySatisfy(d -> {
                assertThat(d.present()).isFalse();
                assertThat(d.counts().reported()).isEqualTo(6);
            });
            assertThat(f.pipeline.totals().reported()).isEqualTo(7);
        }
    }
}
