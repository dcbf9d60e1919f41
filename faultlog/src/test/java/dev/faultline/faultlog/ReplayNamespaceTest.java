package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.PlatformDeviceName;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.machine.DeviceNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A replay's devices live in their own namespace: a log naming the same StreamID or requester id as a device of
 * the simulated machine replays cleanly, and the simulated device stays its backend's, reporting as before.
 */
class ReplayNamespaceTest {
    private static final String P = "arm-smmu-v3 arm-smmu-v3.0.auto: ";
    /** An unstalled F_TRANSLATION of sid 0x42, and a DMAR fault of 00:02.0. */
    private static final List<String> LOG = List.of(P + "event 0x10 received:", P + "0x0000004200000010",
            P + "0x0000020000000000", P + "0x000000008000a2c0", P + "0x0000000000000000",
            "DMAR: [DMA Write NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x05] PTE Write"
                    + " access is not set");

    /** A stand-in for a simulated machine's IOMMU backend. */
    private record Machine(String name) implements IommuBackend {
        @Override
        public void sendPageResponse(DeviceId device, PageResponse response) {
            // no page requests in these tests
        }
    }

    @Test
    void aLogNamingTheSimulatedDevicesReplaysWithoutTakingTheirIds() {
        try (StandaloneCore core = StandaloneCore.builder().start()) {
            IommuPort smmu = core.pipeline().connect(new Machine("smmuv3.0"));
            IommuPort dmar = core.pipeline().connect(new Machine("dmar0"));
            DevicePort sid42 = smmu.addDevice(new StreamId(0x42));
            DevicePort rid = dmar.addDevice(new PciRequesterId(0, 0, 2, 0));

            ReplayReport report = new Replayer(core.pipeline()).replay(new LogDecoder().decode(LOG),
                    ReplayOptions.defaults());

            assertThat(report.clean()).as(report.render()).isTrue();
            assertThat(report.replayed()).isEqualTo(2);
            assertThat(report.devices()).containsExactly(
                    Map.entry(new PlatformDeviceName("replay/arm-smmu-v3.0.auto/sid:0x42"), new StreamId(0x42)),
                    Map.entry(new PlatformDeviceName("replay/0000:00:02.0"), new PciRequesterId(0, 0, 2, 0)));
            // The simulated devices are still their backends' and still report.
            assertThat(smmu.device(new StreamId(0x42))).containsSame(sid42);
            assertThat(dmar.device(new PciRequesterId(0, 0, 2, 0))).containsSame(rid);
            assertThat(sid42.report(UnrecoverableFault.at(new StreamId(0x42), 0x1000, Permissions.NONE)))
                    .isEqualTo(ReportOutcome.NO_HANDLER);
            smmu.close();
            dmar.close();
        }
    }

    @Test
    void theSameStreamIdBehindTwoSmmusOfTheLoggedMachineIsTwoDevices() {
        List<String> log = List.of("arm-smmu-v3 a.smmu: event 0x10 received:", "arm-smmu-v3 a.smmu: 0x0000004200000010",
                "arm-smmu-v3 b.smmu: event 0x10 received:", "arm-smmu-v3 b.smmu: 0x0000004200000010");
        try (StandaloneCore core = StandaloneCore.builder().start()) {
            ReplayReport report = new Replayer(core.pipeline()).replay(new LogDecoder().decode(log),
                    ReplayOptions.defaults());
            assertThat(report.devices()).containsOnlyKeys(new PlatformDeviceName("replay/a.smmu/sid:0x42"),
                    new PlatformDeviceName("replay/b.smmu/sid:0x42"));
            assertThat(report.clean()).isTrue();
        }
    }

    @Test
    void theMachineRefusesDeviceNamesInTheReplayNamespace() {
        assertThatThrownBy(() -> DeviceNode.parse("platform:replay/gpu@smmuv3.0:0x30"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reserved for replayed");
        assertThat(DeviceNode.parse("platform:replayer@smmuv3.0:0x30").id())
                .isEqualTo(new PlatformDeviceName("replayer"));
    }
}
