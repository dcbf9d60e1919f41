package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.HandlerStatus;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fail closed: any unusable faultline.* property refuses the whole registration; nothing is ever widened. */
class MalformedRegistrationTest {
    private final Fixture f = new Fixture();
    private final Handlers.Answering handler = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        f.close();
    }

    static Stream<Arguments> malformed() {
        String dev = DEV.toString();
        return Stream.of(
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.PASID, "seven"),
                        "faultline.pasid 'seven' is not a PASID"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.PASID, 0x100000),
                        "faultline.pasid '1048576' is not a PASID"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.PASID, 4.5),
                        "faultline.pasid '4.5' is not a PASID"),
                Arguments.of(List.of(HandlerProperties.DEVICE, new String[] {dev, "0000:00:03"}),
                        "faultline.device '0000:00:03' is not a device id"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.TIMEOUT_MS, -5L),
                        "faultline.timeout.ms '-5' is not a deadline"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.TIMEOUT_MS, "soon"),
                        "faultline.timeout.ms 'soon' is not a deadline"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.DISPATCH, "Queued"),
                        "faultline.dispatch 'Queued' is not a dispatch mode (expected: inline or queued)"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, "faultline.pasids", 5),
                        "unknown property faultline.pasids (known: faultline.domain"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.DOMAIN, "  "),
                        "faultline.domain '  ' is not a domain name"),
                Arguments.of(List.of(HandlerProperties.DOMAIN, "gpu0", HandlerProperties.PASID, 5),
                        "faultline.pasid restricts faultline.device targets and is not allowed without one"),
                Arguments.of(List.of(HandlerProperties.DEVICE, dev, HandlerProperties.GUEST, "vm1"),
                        "faultline.guest is for a guest's vIOMMU"),
                Arguments.of(List.of(HandlerProperties.DEVICE, new String[0], HandlerProperties.DOMAIN, new String[0]),
                        "no target: set faultline.domain or faultline.device"));
    }

    @ParameterizedTest
    @MethodSource("malformed")
    void eachMalformedPropertyRefusesTheWholeRegistrationAndNamesIt(List<Object> properties, String problem) {
        f.register(handler, properties.toArray());
        f.device(DEV).attach(Pasid.NONE, Domain.dma("gpu0"));

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(f.device(DEV).reportPageRequest(5, 2, Fixture.LAST, Permissions.READ, 0x2000, 0, 0))
                .isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(handler.seen).isEmpty();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
        assertThat(f.pipeline.handlers()).singleElement().satisfies(h -> {
            assertThat(h.state()).isEqualTo(HandlerStatus.State.REFUSED);
            assertThat(h.reason()).contains(problem);
        });
        assertThat(f.log.count("ERROR handler dev.faultline.core.internal.Handlers$Answering (bundle test.bundle,"
                + " service.id 101) REFUSED: ")).isEqualTo(1);
        assertThat(f.log.count(problem)).isEqualTo(1);
    }

    @Test
    void aBadPasidRestrictionNeverWidensToAllPasids() {
        f.register(handler, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.PASID,
                new Object[] {7, "0x1fffff"});

        f.device(DEV).reportPageRequest(7, 1, Fixture.LAST, Permissions.READ, 0x1000, 0, 0);
        f.device(DEV).reportPageRequest(8, 2, Fixture.LAST, Permissions.READ, 0x2000, 0, 0);

        assertThat(handler.seen).isEmpty();
    }

    @Test
    void theCoresOwnPropertiesAreAllAcceptedTogether() {
        f.register(handler, HandlerProperties.DEVICE, new String[] {DEV.toString()}, HandlerProperties.PASID,
                new Integer[] {-1, 5}, HandlerProperties.TIMEOUT_MS, 0L, HandlerProperties.DISPATCH,
                HandlerProperties.DISPATCH_INLINE, HandlerProperties.DOMAIN, new String[0], "service.ranking", 3,
                "component.name", "dma", "other.property", "anything");

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(f.pipeline.handlers()).singleElement().satisfies(h -> {
            assertThat(h.state()).isEqualTo(HandlerStatus.State.ACTIVE);
            assertThat(h.reason()).isEmpty();
            assertThat(h.standing()).containsExactly("device 0000:00:03.0: serves");
        });
    }

    @Test
    void aRegistrationWhosePropertiesBecomeMalformedIsRefusedAndAFixedOneIsAdmittedAgain() {
        long id = f.registerForDevice(handler, DEV);
        java.util.Map<String, Object> bad = new java.util.HashMap<>();
        bad.put("service.id", id);
        bad.put(HandlerProperties.DEVICE, DEV.toString());
        bad.put(HandlerProperties.PASID, "x");

        f.pipeline.updateHandler(id, bad, Fixture.BUNDLE);
        last(f.device(DEV), 1, 0x1000);
        bad.remove(HandlerProperties.PASID);
        f.pipeline.updateHandler(id, bad, Fixture.BUNDLE);
        last(f.device(DEV), 2, 0x1000);

        assertThat(handler.seen).containsExactly("group 2 pasid -1 addrs 1000");
        assertThat(f.pipeline.handlers()).singleElement()
                .satisfies(h -> assertThat(h.state()).isEqualTo(HandlerStatus.State.ACTIVE));
    }
}
