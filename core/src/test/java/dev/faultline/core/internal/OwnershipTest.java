package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.internal.configure.Configs;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A device or domain belongs to one bundle; a foreign registration for it is refused, whatever its ranking. */
class OwnershipTest {
    private static final String OWNER = "dev.vendor.dma";
    private static final String INTRUDER = "dev.other.bundle";
    private final Handlers.Answering owner = new Handlers.Answering(ResponseCode.SUCCESS);
    private final Handlers.Answering intruder = new Handlers.Answering(ResponseCode.FAILURE);

    @Test
    void aHigherRankedRegistrationOfAnotherBundleForAnOwnedDeviceIsRefusedAndShown() {
        try (Fixture f = new Fixture()) {
            f.registerAs(OWNER, owner, HandlerProperties.DEVICE, DEV.toString(), "component.name", "dma");
            f.registerAs(INTRUDER, intruder, HandlerProperties.DEVICE, DEV.toString(), "service.ranking", 1000,
                    "component.name", "thief");

            last(f.device(DEV), 1, 0x1000);

            assertThat(owner.seen).hasSize(1);
            assertThat(intruder.seen).isEmpty();
            assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
            HandlerStatus thief = f.pipeline.handlers().stream().filter(h -> h.name().equals("thief")).findFirst()
                    .orElseThrow();
            assertThat(thief.state()).isEqualTo(HandlerStatus.State.REFUSED);
            assertThat(thief.reason()).isEqualTo("device 0000:00:03.0 is owned by bundle dev.vendor.dma (it registered"
                    + " for it first)");
            assertThat(f.log.count("ERROR handler thief (bundle dev.other.bundle, service.id 102) REFUSED: device"
                    + " 0000:00:03.0 is owned by bundle dev.vendor.dma")).isEqualTo(1);
        }
    }

    @Test
    void aRegistrationOfAnotherBundleForAnOwnedDomainIsRefusedEvenWhenItAlsoNamesAFreeTarget() {
        try (Fixture f = new Fixture()) {
            f.registerAs(OWNER, owner, HandlerProperties.DOMAIN, "rproc0");
            f.registerAs(INTRUDER, intruder, HandlerProperties.DOMAIN, new String[] {"free", "rproc0"},
                    "service.ranking", 5);
            f.device(DEV).attach(Pasid.NONE, Domain.unmanaged("free"));

            last(f.device(DEV), 1, 0x1000);

            assertThat(intruder.seen).isEmpty();
            assertThat(f.pipeline.handlers()).extracting(HandlerStatus::bundle, HandlerStatus::state)
                    .containsExactlyInAnyOrder(Tuple.tuple(OWNER, HandlerStatus.State.ACTIVE),
                            Tuple.tuple(INTRUDER, HandlerStatus.State.REFUSED));
        }
    }

    @Test
    void aGuestsDomainReachesOnlyItsVirtualIommu() {
        try (Fixture f = new Fixture()) {
            f.device(DEV).attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));
            f.registerAs(INTRUDER, intruder, HandlerProperties.DOMAIN, "vm1-s1", "service.ranking", 1000);
            f.registerAs(INTRUDER, intruder, HandlerProperties.DOMAIN, "vm1-s1", HandlerProperties.GUEST, "vm1",
                    "service.ranking", 1000);
            f.registerAs(HandlerPolicy.VIOMMU_BUNDLE, intruder, HandlerProperties.DOMAIN, "vm1-s1",
                    HandlerProperties.GUEST, "vm2");
            f.registerAs(HandlerPolicy.VIOMMU_BUNDLE, owner, HandlerProperties.DOMAIN, "vm1-s1",
                    HandlerProperties.GUEST, "vm1");

            last(f.device(DEV), 1, 0x1000);

            assertThat(owner.seen).hasSize(1);
            assertThat(intruder.seen).isEmpty();
            assertThat(f.pipeline.handlers()).filteredOn(h -> h.state() == HandlerStatus.State.REFUSED)
                    .extracting(HandlerStatus::reason).containsExactlyInAnyOrder(
                            "domain vm1-s1 belongs to guest vm1; only its vIOMMU (faultline.guest=vm1) may serve it",
                            "faultline.guest is reserved to vIOMMU bundles (core configuration guest.handlers:"
                                    + " dev.faultline.viommu, test.bundle)",
                            "domain vm1-s1 belongs to guest vm1; only its vIOMMU (faultline.guest=vm1) may serve it");
        }
    }

    @Test
    void aHostHandlerRegisteredBeforeTheDomainIsAttachedToAGuestIsRefusedAtTheAttach() {
        try (Fixture f = new Fixture()) {
            f.registerAs(INTRUDER, intruder, HandlerProperties.DOMAIN, "vm1-s1");

            f.device(DEV).attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));
            last(f.device(DEV), 1, 0x1000);

            assertThat(intruder.seen).isEmpty();
            assertThat(f.pipeline.handlers()).singleElement().satisfies(h -> {
                assertThat(h.state()).isEqualTo(HandlerStatus.State.REFUSED);
                assertThat(h.reason()).startsWith("domain vm1-s1 belongs to guest vm1");
            });
            assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        }
    }

    @Test
    void theOwnersClaimOutlivesItsUpdateAndLapsesAfterTheHandOverWindow() {
        try (Fixture f = new Fixture(Settings.DEFAULTS, HandlerPolicy.DEFAULTS.withHandover(200, 16, 50))) {
            long first = f.registerAs(OWNER, owner, HandlerProperties.DEVICE, DEV.toString());
            f.pipeline.removeHandler(first);

            f.registerAs(INTRUDER, intruder, HandlerProperties.DEVICE, DEV.toString(), "component.name", "thief");
            assertThat(f.pipeline.handlers()).singleElement().satisfies(h -> {
                assertThat(h.state()).isEqualTo(HandlerStatus.State.REFUSED);
                assertThat(h.reason()).contains("its claim lapses in 200 ms unless it registers again");
            });

            f.ticker.advance(201, TimeUnit.MILLISECONDS);
            f.pipeline.scanForBlockedHandlers();
            last(f.device(DEV), 1, 0x1000);

            assertThat(intruder.seen).hasSize(1);
            assertThat(f.pipeline.handlers()).singleElement()
                    .satisfies(h -> assertThat(h.state()).isEqualTo(HandlerStatus.State.ACTIVE));
            assertThat(f.log.count("handler thief (bundle dev.other.bundle, service.id 102) admitted")).isEqualTo(1);
        }
    }

    @Test
    void aConfiguredOwnerWinsOverWhoeverRegistersFirst() {
        HandlerPolicy configured = HandlerPolicy.from(Configs.of(Map.of("owners",
                new String[] {"device:0000:00:03.0=" + OWNER, "nonsense"})), line -> { });
        try (Fixture f = new Fixture(Settings.DEFAULTS, configured)) {
            f.registerAs(INTRUDER, intruder, HandlerProperties.DEVICE, DEV.toString());
            f.registerAs(OWNER, owner, HandlerProperties.DEVICE, DEV.toString());

            last(f.device(DEV), 1, 0x1000);

            assertThat(owner.seen).hasSize(1);
            assertThat(f.pipeline.handlers()).filteredOn(h -> h.bundle().equals(INTRUDER)).singleElement()
                    .satisfies(h -> assertThat(h.reason()).isEqualTo(
                            "device 0000:00:03.0 is owned by bundle dev.vendor.dma (core configuration owners)"));
        }
    }

    @Test
    void theHandlersOfTheOwnerStandInRankingOrderAndShowIt() {
        try (Fixture f = new Fixture()) {
            f.registerAs(OWNER, owner, HandlerProperties.DOMAIN, "gpu0", "service.ranking", 5, "component.name", "main");
            f.registerAs(OWNER, intruder, HandlerProperties.DOMAIN, "gpu0", "component.name", "spare");
            f.device(DEV).attach(Pasid.NONE, Domain.unmanaged("gpu0"));

            last(f.device(DEV), 1, 0x1000);

            assertThat(owner.seen).hasSize(1);
            assertThat(f.pipeline.handlers()).extracting(HandlerStatus::name, HandlerStatus::standing).containsExactly(
                    Tuple.tuple("main", List.of("domain gpu0: serves")),
                    Tuple.tuple("spare",
                            List.of("domain gpu0: behind main (ranking 5, service.id 101)")));
        }
    }
}
