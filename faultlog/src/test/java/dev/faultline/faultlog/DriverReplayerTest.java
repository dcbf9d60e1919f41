package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.drivers.remoteproc.CrashType;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * Mapped reports reach the machine device as its own access at the logged address (or, for a crash line, as a
 * crash of its remote processor), and the report counts what became of each.
 */
class DriverReplayerTest {
    private static final String DMAR = "DMAR: [DMA Write NO_PASID] Request device [04:00.0] fault addr 0x69974000"
            + " [fault reason 0x05] PTE Write access is not set";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final Machine machine = Machine.create("m", 0x4000_0000L, 0x100_0000L);
    private final RecordingIommu dmar = new RecordingIommu("dmar0", false);
    private final RemoteProcessor mpss = mock(RemoteProcessor.class);

    DriverReplayerTest() {
        machine.addIommu(dmar);
        machine.addIommu(new RecordingIommu("smmuv3.0", true));
        machine.addDevice(DeviceNode.parse("0000:05:00.2@dmar0:0x502"));
        machine.addDevice(DeviceNode.parse("platform:mpss@smmuv3.0:0x20"));
        machine.addDevice(DeviceNode.parse("platform:adreno0@smmuv3.0:0x30:stall"));
    }

    private DriverReplayReport replay(DeviceMap map, String... lines) {
        DriverReplayer replayer = new DriverReplayer(machine,
                d -> d.equals(DeviceId.parse("platform:mpss")) ? Optional.of(mpss) : Optional.empty(), Optional.empty());
        return replayer.replay(new LogDecoder().decode(List.of(lines)).faults(), map, TIMEOUT);
    }

    @Test
    void aMappedIommuFaultIsTheMachineDevicesOwnAccessAtTheLoggedAddress() {
        DriverReplayReport report = replay(DeviceMap.parse(List.of("04:00.0=0000:05:00.2")), DMAR);

        assertThat(dmar.accesses).singleElement().isEqualTo(
                new DmaAccess(0x502, Pasid.NONE, 0x69974000L, AccessType.WRITE, false, 4, false));
        DriverReplayReport.Row row = report.row(DeviceId.parse("0000:05:00.2")).orElseThrow();
        assertThat(row.deliveries()).containsExactly(Map.entry(Delivery.FAULTED, 1));
        assertThat(row.driver()).isEqualTo("no handler");
        assertThat(report.render()).contains("0000:05:00.2", "FAULTED=1");
    }

    @Test
    void anAddressMappedOnTheMachineTranslatesAndIsSaidSo() {
        DriverReplayReport report = replay(DeviceMap.parse(List.of("msm-gpu-fault=platform:adreno0")),
                "*** gpu fault: ttbr0=0000000000000000 iova=000100000000c000 dir=READ type=TRANSLATION source=CP"
                        + " (0,0,0,0)");
        assertThat(report.row(DeviceId.parse("platform:adreno0")).orElseThrow().deliveries())
                .containsExactly(Map.entry(Delivery.TRANSLATED, 1));
    }

    @Test
    void aCrashLineIsACrashOfTheRemoteProcessorDrivingTheDevice() {
        when(mpss.reportCrash(CrashType.WATCHDOG)).thenReturn(true, false);
        when(mpss.name()).thenReturn("mpss");
        DriverReplayReport report = replay(DeviceMap.parse(List.of("remoteproc0=platform:mpss")),
                "remoteproc remoteproc0: crash detected in imx-rproc: type watchdog",
                "remoteproc remoteproc0: crash detected in imx-rproc: type watchdog");

        verify(mpss, org.mockito.Mockito.times(2)).reportCrash(CrashType.WATCHDOG);
        DriverReplayReport.Row row = report.row(DeviceId.parse("platform:mpss")).orElseThrow();
        assertThat(row.count(Delivery.CRASH_REPORTED)).isEqualTo(1);
        assertThat(row.count(Delivery.CRASH_COALESCED)).isEqualTo(1);
        assertThat(row.driver()).isEqualTo("remoteproc mpss");
    }

    @Test
    void whatCannotBeDeliveredIsCountedWithItsReason() {
        DriverReplayReport report = replay(DeviceMap.parse(List.of("04:00.0=0000:09:00.0", "cdsp=0000:05:00.2")),
                DMAR, "remoteproc remoteproc2: crash detected in cdsp: type fatal error");
        assertThat(report.notDelivered()).containsOnlyKeys("no device 0000:09:00.0 on machine m",
                "no remote processor drives 0000:05:00.2");
        assertThat(dmar.accesses).isEmpty();
    }

    @Test
    void unmappedReportsAreLeftAlone() {
        DriverReplayReport report = replay(DeviceMap.parse(List.of("05:00.0=0000:05:00.2")), DMAR);
        assertThat(report.rows()).isEmpty();
        assertThat(dmar.accesses).isEmpty();
    }

    /** An IOMMU that records each access and aborts it, or translates it 1:1. */
    private static final class RecordingIommu implements TranslationPort {
        final List<DmaAccess> accesses = new ArrayList<>();
        private final String name;
        private final boolean translates;

        RecordingIommu(String name, boolean translates) {
            this.name = name;
            this.translates = translates;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public synchronized DmaTransaction issue(DmaTransaction tx) {
            tx.admit();
            DmaAccess access = tx.access();
            accesses.add(access);
            if (translates) {
                tx.translate(access.address());
            } else {
                tx.abort();
            }
            return tx;
        }

        @Override
        public void pageRequest(PageRequestMessage message) {
            throw new UnsupportedOperationException("no page requests in these tests");
        }

        @Override
        public void connect(int requesterId, PrgResponseReceiver receiver) {
        }

        @Override
        public void disconnect(int requesterId) {
        }
    }
}
