package dev.faultline.drivers.usnic.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The usNIC model with the real fault core behind its IOMMU, and no handler registered by anyone. */
class UsnicDeviceTest {
    private static final PciRequesterId VF = new PciRequesterId(0, 0x05, 0x00, 1);
    private static final long RECV = 0x7f00_0000_0000L;
    private static final long SEND = 0x7f00_0001_0000L;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator frames = new FrameAllocator(memory, 0x4000_0000L, 16 << 20);
    private final FirstLevelPageTable table = new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K);
    private final ReportingIommu iommu = new ReportingIommu(memory, table);
    private final List<String> hostLog = new ArrayList<>();
    private final StandaloneCore core = StandaloneCore.builder().logRate(10, 5000).log(this::logged).start();
    private final UsnicDevice usnic = new UsnicDevice(VF.toString(), "usnic-pd0",
            DmaDevice.of("usnic", VF.rid(), iommu, memory), Duration.ofSeconds(1), frames, table);

    private synchronized void logged(String line) {
        hostLog.add(line);
    }

    private IommuPort connect() {
        IommuPort port = core.pipeline().connect(new IommuBackend() {
            @Override
            public String name() {
                return "dmar0";
            }

            @Override
            public void sendPageResponse(DeviceId device, PageResponse response) {
                throw new AssertionError("unrecoverable faults get no page response");
            }
        });
        iommu.port = port.addDevice(VF);
        iommu.port.attach(Pasid.NONE, Domain.unmanaged("usnic-pd0"));
        return port;
    }

    @AfterEach
    void stopCore() {
        core.close();
    }

    @Test
    void theNicMovesDataThroughItsRegistrations() {
        connect();
        usnic.register(RECV, 0x2000, true);
        usnic.register(SEND, 0x1000, false);

        assertThat(usnic.receive(RECV + 0x1008, 42)).isTrue();
        assertThat(usnic.transmit(RECV + 0x1008)).isEqualTo(OptionalLong.of(42));
        assertThat(usnic.transmit(SEND)).isEqualTo(OptionalLong.of(0));
        assertThat(usnic.status().completedDma()).isEqualTo(3);
        assertThat(core.statistics().totals().reported()).isZero();
    }

    @Test
    void itsFaultsAreStillReportedRateLimitedAndCountedWithoutAHandler() {
        connect();
        usnic.register(RECV, 0x1000, true);
        usnic.register(SEND, 0x1000, false);
        usnic.deregister(RECV);

        for (int i = 0; i < 20; i++) {
            assertThat(usnic.receive(RECV + 8L * i, i)).isFalse();
        }
        assertThat(usnic.receive(SEND, 1)).as("a send buffer is read-only for the NIC").isFalse();

        DeviceStatus device = core.statistics().devices().stream()
                .filter(d -> d.device().equals(VF.toString())).findFirst().orElseThrow();
        assertThat(device.counts().reported()).isEqualTo(21);
        assertThat(device.counts().noHandler()).isEqualTo(21);
        assertThat(device.counts().balanced()).isTrue();
        assertThat(core.statistics().handlers()).isEmpty();
        assertThat(usnic.status().failedDma()).isEqualTo(21);
        synchronized (this) {
            assertThat(hostLog).hasSize(10).allSatisfy(l -> assertThat(l).startsWith("0000:05:00.1: "));
            assertThat(hostLog.get(0)).contains("unhandled unrecoverable fault").contains("addr 0x7f0000000000");
        }
    }

    @Test
    void refusesOverlappingOrPartialPageRegistrations() {
        usnic.register(RECV, 0x2000, true);

        assertThatThrownBy(() -> usnic.register(RECV + 0x1000, 0x1000, true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("overlaps");
        assertThatThrownBy(() -> usnic.register(SEND, 100, true)).isInstanceOf(IllegalArgumentException.class);
        assertThat(usnic.deregister(SEND)).isFalse();
        assertThat(usnic.status().registrations()).isEqualTo(1);
    }
}
