package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static dev.faultline.core.internal.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.testkit.backend.RecordingBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack: a backend reports faults for a device it no longer owns, through a {@link DevicePort} it kept after
 * the device was removed or its IOMMU disconnected, while the device lives on (re-added, or added by another
 * IOMMU's backend). The reports are rejected and counted on the stale port; they never reach the device's
 * current handler, never join its groups, and never make another IOMMU's backend send a response.
 */
class BackendReportsThroughAStalePortTest {
    private final Fixture f = new Fixture();
    private final Handlers.Answering handler = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aPortKeptAfterItsDeviceWasRemovedCannotReportIntoTheReAddedDevice() {
        f.registerForDevice(handler, DEV);
        DevicePort stale = f.device(DEV);
        stale.remove();
        DevicePort current = f.iommu.addDevice(DEV);

        assertThat(partial(stale, 4, 0xbad000)).isEqualTo(ReportOutcome.REJECTED);
        assertThat(stale.reportUnrecoverable(0, Pasid.NONE, Permissions.READ, 0, 0, HardwareRecord.NONE))
                .isEqualTo(ReportOutcome.REJECTED);
        assertThat(last(current, 4, 0x4000)).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(handler.seen).containsExactly("group 4 pasid -1 addrs 4000");
        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().rejected()).isEqualTo(2);
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aPortKeptAfterItsIommuDisconnectedCannotReportIntoTheDeviceOnItsNewIommu() {
        f.registerForDevice(handler, DEV);
        DevicePort stale = f.device(DEV);
        f.iommu.close();
        RecordingBackend nextBackend = new RecordingBackend("iommu1");
        IommuPort next = f.pipeline.connect(nextBackend);
        DevicePort current = next.addDevice(DEV);

        assertThat(partial(stale, 5, 0xbad000)).isEqualTo(ReportOutcome.REJECTED);
        assertThat(last(stale, 6, 0xbad000)).isEqualTo(ReportOutcome.REJECTED);
        assertThat(last(current, 5, 0x5000)).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(handler.seen).containsExactly("group 5 pasid -1 addrs 5000");
        assertThat(nextBackend.single().groupId()).isEqualTo(5);
        assertThat(f.backend.responses()).isEmpty();
        assertThat(f.pipeline.totals().rejected()).isEqualTo(2);
        assertThat(f.pipeline.totals().lostResponses()).isEqualTo(1);
    }

    @Test
    void aBackendFindsNoPortForADeviceItNeverAdded() {
        f.device(DEV);
        IommuPort other = f.pipeline.connect(new RecordingBackend("iommu1"));

        assertThat(other.device(DEV)).isEmpty();
        assertThat(f.iommu.device(Fixture.DEV2)).isEmpty();
    }
}
