package dev.faultline.vtd.internal;

import static dev.faultline.vtd.internal.DriverRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An inline handler that blocks holds the unit's interrupt thread; past the core's blocking threshold the driver
 * leaves that thread to the handler and goes on on a fresh one, so the unit's other devices are served while the
 * handler still blocks, and no descriptor or fault record is reported twice.
 */
class BlockedHandlerTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final PciRequesterId NIC = new PciRequesterId(0, 4, 0, 0);
    private static final int PASID = 5;
    private static final long VA = 0x7f00_0040_1000L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator os = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
    private final FrameAllocator pages = new FrameAllocator(memory, 0x8000_0000L, 0x1000_0000L);
    private final RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, 8, 1L << 40), memory);
    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger stuckCalls = new AtomicInteger();
    private final List<Boolean> answersAccepted = new CopyOnWriteArrayList<>();
    private final RecordingLog dmar = new RecordingLog();
    private StandaloneCore core;
    private UnitDriver driver;
    private FirstLevelPageTable nicTable;

    @BeforeEach
    void start() {
        core = StandaloneCore.builder().defaultTimeoutMillis(2000).start();
        driver = new UnitDriver(unit, os, core.pipeline(), new DriverSettings(4, TimeUnit.SECONDS.toNanos(5), 10,
                TimeUnit.SECONDS.toNanos(5)), dmar, new AtomicLong()::get);
        driver.start();
        driver.attach(GPU, PASID, Domain.sva("stuck"), new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K).root());
        nicTable = new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K);
        driver.attach(NIC, PASID, Domain.sva("nic-process"), nicTable.root());
        core.register(this::blockUntilReleased, Map.of(HandlerProperties.DOMAIN, "stuck"));
        core.register(group -> {
            nicTable.map(group.address(0) & ~0xfffL, pages.allocatePage(), 0x1000, PageProtection.READ_WRITE);
            group.respond(ResponseCode.SUCCESS);
        }, Map.of(HandlerProperties.DOMAIN, "nic-process"));
    }

    @AfterEach
    void stop() {
        release.countDown();
        driver.stop();
        core.close();
    }

    private void blockUntilReleased(FaultGroup group) {
        stuckCalls.incrementAndGet();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answersAccepted.add(group.respond(ResponseCode.SUCCESS));
    }

    private DmaDevice priDevice(String name, PciRequesterId rid) {
        PriCapability pri = new PriCapability(64, true);
        pri.enable();
        return DmaDevice.withPri(name, rid.rid(), unit, memory, pri);
    }

    @Test
    void anotherDevicesPageRequestIsServedWhileAHandlerStillBlocksTheInterruptThread() throws Exception {
        DmaDevice gpu = priDevice("gpu", GPU);
        CompletableFuture<DmaResult> stuck = CompletableFuture.supplyAsync(() -> gpu.read(PASID, VA, 8, WAIT));
        await("the handler blocks the interrupt thread", () -> stuckCalls.get() == 1);

        DmaResult nicWrite = priDevice("nic", NIC).write(PASID, VA, new byte[] {1, 2}, WAIT);

        assertThat(nicWrite.status()).as("served while the other handler still blocks").isEqualTo(DmaStatus.COMPLETED);
        assertThat(release.getCount()).isOne();
        DriverCounters c = driver.counters();
        assertThat(c.reportsAbandoned()).isEqualTo(1);
        assertThat(c.threadsBlocked()).isEqualTo(1);
        assertThat(stuck.get(10, TimeUnit.SECONDS).status()).as("answered on the handler's behalf at its deadline")
                .isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);

        release.countDown();
        await("the abandoned thread returned", () -> driver.counters().threadsBlocked() == 0);
        assertThat(answersAccepted).containsExactly(false);
        assertThat(stuckCalls.get()).as("the descriptor in flight was reported once").isEqualTo(1);
        gpu.read(PASID, VA + 0x1000, 8, WAIT);
        assertThat(stuckCalls.get()).as("the blocked device's next request reached its handler").isGreaterThan(1);
        assertThat(answersAccepted.get(1)).isTrue();
    }
}
