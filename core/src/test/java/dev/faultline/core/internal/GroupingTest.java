package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.LAST;
import static dev.faultline.core.internal.Fixture.last;
import static dev.faultline.core.internal.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.testkit.backend.RecordingBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GroupingTest {
    private final Fixture f = new Fixture();
    private final Handlers.Answering handler = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void parksPartialRequestsUntilTheLastRequestOfTheirGroupArrives() {
        f.registerForDevice(handler, DEV);
        DevicePort d = f.device(DEV);

        assertThat(partial(d, 5, 0x1000)).isEqualTo(ReportOutcome.PARKED);
        assertThat(partial(d, 5, 0x2000)).isEqualTo(ReportOutcome.PARKED);
        assertThat(handler.seen).isEmpty();
        assertThat(f.backend.responses()).isEmpty();

        assertThat(last(d, 5, 0x3000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(handler.seen).containsExactly("group 5 pasid -1 addrs 1000 2000 3000");
        assertThat(f.backend.single().groupId()).isEqualTo(5);
        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.SUCCESS);
    }

    @Test
    void leavesPartialsOfOtherGroupsParked() {
        f.registerForDevice(handler, DEV);
        DevicePort d = f.device(DEV);
        partial(d, 1, 0x1000);
        partial(d, 2, 0x2000);
        partial(d, 1, 0x3000);

        last(d, 1, 0x4000);
        assertThat(handler.seen).containsExactly("group 1 pasid -1 addrs 1000 3000 4000");
        assertThat(f.pipeline.devices().get(0).partials()).isEqualTo(1);

        last(d, 2, 0x5000);
        assertThat(handler.seen).last().isEqualTo("group 2 pasid -1 addrs 2000 5000");
        assertThat(f.pipeline.devices().get(0).partials()).isZero();
    }

    @Test
    void aDeviceThatMixesPasidsUnderOneGroupIndexNeverShowsOnePasidsAddressesToAnothersHandler() {
        f.registerForDevice(handler, DEV);
        DevicePort d = f.device(DEV);
        d.reportPageRequest(7, 3, PageRequest.FLAG_PASID_VALID, Permissions.READ, 0x1000, 0, 0);
        d.reportPageRequest(9, 3, PageRequest.FLAG_PASID_VALID, Permissions.READ, 0x2000, 0, 0);
        d.reportPageRequest(9, 3, PageRequest.FLAG_PASID_VALID | LAST, Permissions.READ, 0x3000, 0, 0);

        assertThat(handler.seen).containsExactly("group 3 pasid 9 addrs 2000 3000");
        FaultCounts c = f.pipeline.devices().get(0).counts();
        assertThat(c.mixedPasid()).isEqualTo(1);
        assertThat(f.log.count("two PASIDs use group 0x3")).isEqualTo(1);

        d.reportPageRequest(7, 3, PageRequest.FLAG_PASID_VALID | LAST, Permissions.READ, 0x4000, 0, 0);
        assertThat(handler.seen).last().isEqualTo("group 3 pasid 7 addrs 1000 4000");
        assertThat(f.pipeline.devices().get(0).partials()).isZero();
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void keepsEachDevicesPartialsApart() {
        f.registerForDevice(handler, DEV);
        f.registerForDevice(handler, DEV2);
        partial(f.device(DEV), 4, 0x1000);
        last(f.device(DEV2), 4, 0x2000);

        assertThat(handler.seen).containsExactly("group 4 pasid -1 addrs 2000");
    }

    @Test
    void answersWithTheLastRequestsPasidAndPrivateData() {
        f.registerForDevice(handler, DEV);
        DevicePort d = f.device(DEV);
        d.reportPageRequest(2, 8, PageRequest.FLAG_PASID_VALID, Permissions.READ, 0x1000, 11, 0);
        d.reportPageRequest(3, 8, LAST | PageRequest.FLAG_RESPONSE_NEEDS_PASID, Permissions.WRITE, 0x2000, 22, 0);

        RecordingBackend.Response r = f.backend.single();
        assertThat(r.pasid()).isEqualTo(3);
        assertThat(r.needsPasid()).isTrue();
        assertThat(r.privateData0()).isEqualTo(22);
    }

    @Test
    void discardPartialsDropsParkedRequestsAndCountsThem() {
        f.registerForDevice(handler, DEV);
        DevicePort d = f.device(DEV);
        partial(d, 1, 0x1000);
        partial(d, 2, 0x2000);

        f.iommu.discardPartials();
        last(d, 1, 0x3000);

        assertThat(handler.seen).containsExactly("group 1 pasid -1 addrs 3000");
        FaultCounts c = f.pipeline.totals();
        assertThat(c.discardedPartials()).isEqualTo(2);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void exposesFaultsAsValuesOnlyWhenAsked() {
        Handlers.Deferring deferring = new Handlers.Deferring();
        f.registerForDevice(deferring, DEV);
        DevicePort d = f.device(DEV);
        partial(d, 6, 0x1000);
        last(d, 6, 0x2000);

        assertThat(deferring.held.get(0).faults()).containsExactly(
                new PageRequest(DEV, -1, 6, false, 0x1000, Permissions.READ, 0, 0, false),
                PageRequest.last(DEV, 6, 0x2000, Permissions.READ));
    }
}
