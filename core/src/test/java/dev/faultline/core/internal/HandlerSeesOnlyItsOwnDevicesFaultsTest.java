package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack: a handler bundle tries to receive faults of devices it did not register for (another device, a
 * device whose id looks alike, a wildcard-looking id, a domain the device is not attached to, a device it
 * registered for earlier). It only ever gets faults of the devices it serves; the others' groups are answered
 * by their own handler or {@code INVALID}, and counted.
 */
class HandlerSeesOnlyItsOwnDevicesFaultsTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    /** Answers SUCCESS and records the device of every fault it is handed. */
    private static final class DeviceRecording implements FaultHandler {
        final List<DeviceId> devices = new CopyOnWriteArrayList<>();

        @Override
        public void handle(FaultGroup group) {
            devices.add(group.device());
            group.respond(ResponseCode.SUCCESS);
        }
    }

    private static ReportOutcome unrecoverable(DevicePort d) {
        return d.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE, Permissions.WRITE, 0x5000, 0,
                HardwareRecord.NONE);
    }

    @Test
    void aDeviceHandlerNeverReceivesAnotherDevicesPageRequestsOrUnrecoverableFaults() {
        DeviceRecording own = new DeviceRecording();
        f.registerForDevice(own, DEV);
        DevicePort other = f.device(DEV2);

        assertThat(last(other, 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(unrecoverable(other)).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(last(f.device(DEV), 2, 0x2000)).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(own.devices).containsExactly(DEV);
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::device, RecordingBackend.Response::code)
                .containsExactly(tuple(DEV2, ResponseCode.INVALID), tuple(DEV, ResponseCode.SUCCESS));
        assertThat(f.pipeline.totals().noHandler()).isEqualTo(2);
    }

    @Test
    void twoHandlersOfInterleavedDevicesEachSeeOnlyTheirOwn() {
        DeviceRecording first = new DeviceRecording();
        DeviceRecording second = new DeviceRecording();
        f.registerForDevice(first, DEV);
        f.registerForDevice(second, DEV2);
        DevicePort a = f.device(DEV);
        DevicePort b = f.device(DEV2);

        for (int group = 0; group < 50; group++) {
            last(group % 3 == 0 ? b : a, group, 0x1000L * group);
            unrecoverable(group % 2 == 0 ? a : b);
        }

        assertThat(first.devices).hasSize(33 + 25).containsOnly(DEV);
        assertThat(second.devices).hasSize(17 + 25).containsOnly(DEV2);
    }

    @Test
    void aHandlerOfAStreamIdDoesNotReceiveThePciDeviceWhoseRequesterIdHasTheSameNumber() {
        PciRequesterId pci = (PciRequesterId) DEV;
        DeviceRecording lookalike = new DeviceRecording();
        f.registerForDevice(lookalike, new StreamId(pci.rid()));

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(lookalike.devices).isEmpty();
        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.INVALID);
    }

    @Test
    void aHandlerOfTheSameBusDeviceAndFunctionOnAnotherPciSegmentDoesNotReceiveIt() {
        DeviceRecording otherSegment = new DeviceRecording();
        f.registerForDevice(otherSegment, DeviceId.parse("0001:00:03.0"));

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(otherSegment.devices).isEmpty();
    }

    @Test
    void deviceIdsThatLookLikeWildcardsOrPrefixesServeNothingAndAreLogged() {
        DeviceRecording greedy = new DeviceRecording();
        f.register(greedy, HandlerProperties.DEVICE, new String[] {"*", "0000:00", "0000:00:03", ".*", ""});

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(last(f.device(DEV2), 2, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(greedy.devices).isEmpty();
        assertThat(f.pipeline.handlers()).singleElement().satisfies(h -> {
            assertThat(h.state()).isEqualTo(HandlerStatus.State.REFUSED);
            assertThat(h.reason()).contains("'*' is not a device id", "'0000:00' is not a device id",
                    "'0000:00:03' is not a device id", "'.*' is not a device id", "'' is not a device id");
        });
        assertThat(f.log.count("REFUSED")).isEqualTo(1);
    }

    @Test
    void aDomainHandlerNeverReceivesADeviceThatIsNotAttachedToItsDomain() {
        DeviceRecording domainA = new DeviceRecording();
        f.register(domainA, HandlerProperties.DOMAIN, "a");
        f.device(DEV).attach(Pasid.NONE, Domain.dma("a"));
        f.device(DEV2).attach(Pasid.NONE, Domain.dma("b"));

        last(f.device(DEV), 1, 0x1000);
        assertThat(last(f.device(DEV2), 2, 0x2000)).isEqualTo(ReportOutcome.NO_HANDLER);
        f.device(DEV).attach(Pasid.NONE, Domain.dma("b"));
        assertThat(last(f.device(DEV), 3, 0x3000)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(domainA.devices).containsExactly(DEV);
    }

    @Test
    void aHandlerReRegisteredForAnotherDeviceNoLongerReceivesTheFirst() {
        DeviceRecording moving = new DeviceRecording();
        long id = f.registerForDevice(moving, DEV);
        last(f.device(DEV), 1, 0x1000);

        f.pipeline.updateHandler(id, Map.of("service.id", id, HandlerProperties.DEVICE, DEV2.toString()),
                "test.bundle");

        assertThat(last(f.device(DEV), 2, 0x2000)).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(last(f.device(DEV2), 3, 0x3000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(moving.devices).containsExactly(DEV, DEV2);
    }
}
