package dev.faultline.vtd.internal;

import static dev.faultline.vtd.internal.DriverRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The driver with the real core: real DMA, real handlers, real grouping and routing. */
class CoreEndToEndTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final PciRequesterId VF = new PciRequesterId(0, 3, 1, 0);
    private static final int PASID = 5;
    private static final long VA = 0x7f00_0040_1000L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator os = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
    private final FrameAllocator pages = new FrameAllocator(memory, 0x8000_0000L, 0x1000_0000L);
    private final RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, 8, 1L << 40), memory);
    private final List<String> hostLog = new CopyOnWriteArrayList<>();
    private List<String> dmarLog;
    private final AtomicLong clock = new AtomicLong();
    private StandaloneCore core;
    private UnitDriver driver;
    private FirstLevelPageTable table;

    @BeforeEach
    void start() {
        core = StandaloneCore.builder().log(hostLog::add).start();
        RecordingLog sink = new RecordingLog();
        dmarLog = sink.lines;
        driver = new UnitDriver(unit, os, core.pipeline(), new DriverSettings(4, TimeUnit.SECONDS.toNanos(5), 10,
                TimeUnit.SECONDS.toNanos(5)), sink, clock::get);
        driver.start();
        table = new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K);
        driver.attach(GPU, PASID, Domain.sva("gpu-process"), table.root());
    }

    @AfterEach
    void stop() {
        driver.stop();
        core.close();
    }

    private DmaDevice priDevice(PriCapability pri) {
        pri.enable();
        return DmaDevice.withPri("gpu", GPU.rid(), unit, memory, pri);
    }

    @Test
    void demandPagingHandlerMakesTheRetriedAccessSucceed() {
        core.register(group -> {
            for (int i = 0; i < group.size(); i++) {
                table.map(group.address(i) & ~0xfffL, pages.allocatePage(), 0x1000, PageProtection.READ_WRITE);
            }
            group.respond(ResponseCode.SUCCESS);
        }, Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        DmaDevice gpu = priDevice(new PriCapability(64, true));
        DmaResult result = gpu.write(PASID, VA + 0x40, new byte[] {7, 7}, WAIT);
        assertThat(result.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(result.pageRequests()).isEqualTo(1);
        assertThat(dmarLog).isEmpty();
    }

    @Test
    void invalidAnswerFailsTheAccess() {
        core.register(group -> group.respond(ResponseCode.INVALID), Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        assertThat(priDevice(new PriCapability(64, true)).read(PASID, VA, 8, WAIT).status())
                .isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);
    }

    @Test
    void unansweredGroupOfAMissingHandlerFailsTheAccess() {
        assertThat(priDevice(new PriCapability(64, true)).read(PASID, VA, 8, WAIT).status())
                .isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);
    }

    @Test
    void throwingHandlerMakesTheCoreAnswerFailureAndTheDeviceStopsPri() {
        core.register(group -> {
            throw new IllegalStateException("driver bug");
        }, Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        PriCapability pri = new PriCapability(64, true);
        assertThat(priDevice(pri).read(PASID, VA, 8, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        assertThat(pri.responseFailure()).isTrue();
    }

    @Test
    void faultRecordsReachTheDevicesHandlerAsFieldsWithoutTheRawRecord() {
        List<String> records = new CopyOnWriteArrayList<>();
        core.register(group -> records.add((group.recoverable() ? "recoverable " : "") + group.hardwareRecord()),
                Map.of(HandlerProperties.DEVICE, GPU.toString()));
        DmaDevice nic = DmaDevice.of("gpu", GPU.rid(), unit, memory);
        assertThat(nic.read(PASID, VA, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        await("the handler", () -> records.size() == 1);
        assertThat(records).containsExactly(String.valueOf(HardwareRecord.NONE));
        assertThat(dmarLog).isEmpty();
    }

    @Test
    void unhandledFaultsArePrintedInTheKernelsFormat() {
        DmaDevice nic = DmaDevice.of("gpu", GPU.rid(), unit, memory);
        for (int i = 0; i < 11; i++) {
            long before = driver.counters().faultsPrinted() + driver.counters().faultsPrintSuppressed();
            nic.read(PASID, VA, 8, WAIT);
            await("the fault", () -> driver.counters().faultsPrinted()
                    + driver.counters().faultsPrintSuppressed() == before + 1);
        }
        assertThat(dmarLog).hasSize(10).containsOnly("DMAR: [DMA Read PASID 0x5] Request device [03:00.0] fault addr "
                + "0x7f0000401000 [fault reason 0x71] SM: Present bit in first-level paging entry is clear");
    }

    @Test
    void guestFaultsReachTheGuestsHandlerAndAreNeverPrintedOnTheHost() {
        FirstLevelPageTable guestTable = new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K);
        driver.attach(VF, Pasid.NONE, Domain.nested("vm1-vf", "vm1"), guestTable.root());
        List<Long> guestSaw = new CopyOnWriteArrayList<>();
        long id = core.register(group -> guestSaw.add(group.address(0)),
                Map.of(HandlerProperties.DOMAIN, "vm1-vf", HandlerProperties.GUEST, "vm1"));
        DmaDevice vf = DmaDevice.of("vf", VF.rid(), unit, memory);
        vf.read(Pasid.NONE, 0x1234_5000L, 8, WAIT);
        await("the guest's handler", () -> guestSaw.size() == 1);
        assertThat(guestSaw).containsExactly(0x1234_5000L);
        core.unregister(id);
        vf.read(Pasid.NONE, 0x1234_6000L, 8, WAIT);
        await("the unhandled guest fault", () -> driver.counters().faultsGuestSilenced() == 1);
        assertThat(dmarLog).isEmpty();
        assertThat(hostLog).noneMatch(line -> line.contains(VF.toString()));
    }
}
