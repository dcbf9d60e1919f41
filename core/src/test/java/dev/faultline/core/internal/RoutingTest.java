package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.LAST;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RoutingTest {
    private final Fixture f = new Fixture();
    private final Handlers.Answering gpu = new Handlers.Answering(ResponseCode.SUCCESS);
    private final Handlers.Answering sva = new Handlers.Answering(ResponseCode.SUCCESS);
    private final Handlers.Answering byDevice = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        f.close();
    }

    private static ReportOutcome lastWithPasid(DevicePort d, int pasid, int group) {
        return d.reportPageRequest(pasid, group, LAST | PageRequest.FLAG_PASID_VALID, Permissions.READ, 0x1000, 0, 0);
    }

    @Test
    void routesAPasidFaultToTheHandlerOfTheDomainAttachedAtThatPasid() {
        f.register(gpu, HandlerProperties.DOMAIN, "gpu0");
        f.register(sva, HandlerProperties.DOMAIN, "sva-proc");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.dma("gpu0"));
        d.attach(5, Domain.sva("sva-proc"));

        lastWithPasid(d, 5, 1);
        last(d, 2, 0x2000);

        assertThat(sva.seen).containsExactly("group 1 pasid 5 addrs 1000");
        assertThat(gpu.seen).containsExactly("group 2 pasid -1 addrs 2000");
    }

    @Test
    void fallsBackToANestedPasidLessAttachmentForAnUnattachedPasid() {
        f.register(gpu, HandlerProperties.DOMAIN, "guest-s1", HandlerProperties.GUEST, "vm1");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.nested("guest-s1", "vm1"));

        lastWithPasid(d, 42, 1);

        assertThat(gpu.seen).containsExactly("group 1 pasid 42 addrs 1000");
    }

    @Test
    void doesNotFallBackToAPasidLessAttachmentThatIsNotNested() {
        f.register(gpu, HandlerProperties.DOMAIN, "dma0");
        f.registerForDevice(byDevice, DEV);
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.dma("dma0"));

        lastWithPasid(d, 42, 1);

        assertThat(gpu.seen).isEmpty();
        assertThat(byDevice.seen).containsExactly("group 1 pasid 42 addrs 1000");
    }

    @Test
    void usesTheDeviceHandlerWhenTheAttachedDomainHasNoHandler() {
        f.registerForDevice(byDevice, DEV);
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.unmanaged("nobody-serves-me"));

        last(d, 1, 0x1000);

        assertThat(byDevice.seen).hasSize(1);
    }

    @Test
    void neverHandsAGuestsFaultToAHostHandlerOfTheDeviceWhenTheGuestHasNone() {
        f.registerForDevice(byDevice, DEV);
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));

        last(d, 1, 0x1000);
        lastWithPasid(d, 9, 2);

        assertThat(byDevice.seen).isEmpty();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
        assertThat(f.pipeline.totals().noHandler()).isEqualTo(2);
        assertThat(f.log.lines).isEmpty();
    }

    @Test
    void restrictsADeviceHandlerToItsPasids() {
        f.register(byDevice, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.PASID, new int[] {7, -1});
        DevicePort d = f.device(DEV);

        lastWithPasid(d, 7, 1);
        last(d, 2, 0x1000);
        assertThat(lastWithPasid(d, 8, 3)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(byDevice.seen).containsExactly("group 1 pasid 7 addrs 1000", "group 2 pasid -1 addrs 1000");
    }

    @Test
    void prefersARestrictedHandlerOnlyWhenItRanksHigher() {
        Handlers.Answering restricted = new Handlers.Answering(ResponseCode.SUCCESS);
        f.register(byDevice, HandlerProperties.DEVICE, DEV.toString(), "service.ranking", 5);
        f.register(restricted, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.PASID, 7);
        DevicePort d = f.device(DEV);

        lastWithPasid(d, 7, 1);

        assertThat(byDevice.seen).hasSize(1);
        assertThat(restricted.seen).isEmpty();
    }

    @Test
    void picksTheHighestRankingThenTheLowestServiceId() {
        Handlers.Answering first = new Handlers.Answering(ResponseCode.SUCCESS);
        Handlers.Answering second = new Handlers.Answering(ResponseCode.SUCCESS);
        Handlers.Answering ranked = new Handlers.Answering(ResponseCode.SUCCESS);
        f.register(first, HandlerProperties.DOMAIN, "d");
        f.register(second, HandlerProperties.DOMAIN, "d");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.dma("d"));

        last(d, 1, 0x1000);
        long rankedId = f.register(ranked, HandlerProperties.DOMAIN, "d", "service.ranking", 10);
        last(d, 2, 0x1000);
        f.pipeline.removeHandler(rankedId);
        last(d, 3, 0x1000);

        assertThat(first.seen).hasSize(2);
        assertThat(second.seen).isEmpty();
        assertThat(ranked.seen).hasSize(1);
    }

    @Test
    void aHandlerRegisteredAfterTheAttachmentServesIt() {
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.dma("late"));
        assertThat(last(d, 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);

        f.register(gpu, HandlerProperties.DOMAIN, "late");

        assertThat(last(d, 2, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(gpu.seen).hasSize(1);
    }

    @Test
    void detachingStopsRoutingToTheDomain() {
        f.register(sva, HandlerProperties.DOMAIN, "sva");
        DevicePort d = f.device(DEV);
        d.attach(3, Domain.sva("sva"));
        d.detach(3);

        assertThat(lastWithPasid(d, 3, 1)).isEqualTo(ReportOutcome.NO_HANDLER);
    }

    @Test
    void updatedPropertiesReRouteAHandler() {
        long id = f.register(gpu, HandlerProperties.DOMAIN, "a");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.dma("b"));

        f.pipeline.updateHandler(id, java.util.Map.of("service.id", id, HandlerProperties.DOMAIN, "b"), "test.bundle");

        assertThat(last(d, 1, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(f.pipeline.handlers().get(0).domains()).containsExactly("b");
    }

    @Test
    void refusesTheWholeRegistrationWhenAnyPropertyIsUnusableAndNamesEach() {
        f.register(byDevice, HandlerProperties.DEVICE, new String[] {"not-a-device", DEV.toString()},
                HandlerProperties.DISPATCH, "sideways", HandlerProperties.TIMEOUT_MS, "soon");

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(byDevice.seen).isEmpty();
        assertThat(f.log.count("REFUSED")).isEqualTo(1);
        assertThat(f.log.count("faultline.device 'not-a-device' is not a device id")).isEqualTo(1);
        assertThat(f.log.count("faultline.dispatch 'sideways' is not a dispatch mode (expected: inline or queued)"))
                .isEqualTo(1);
        assertThat(f.log.count("faultline.timeout.ms 'soon' is not a deadline")).isEqualTo(1);
    }
}
