package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Tearing a PASID down is a change of owner: the driver drains the page request queue of that PASID (with the
 * requests still in flight, through an invalidation wait with page-request drain) before the core's barrier
 * answers everything of the old owner; nothing of the old PASID reaches its next owner, and the device's other
 * PASIDs are untouched. Real DMA from a PRI device through the unit model and the real core.
 */
class PasidTeardownTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final int OLD = 5;
    private static final int OTHER = 6;
    private static final long VA = 0x7f00_0040_0000L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator os = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
    private final RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, 8, 1L << 40), memory);
    private final List<PrgResponseMessage> wire = new CopyOnWriteArrayList<>();
    private final List<DeferredGroup> oldOwner = new CopyOnWriteArrayList<>();
    private final List<DeferredGroup> otherOwner = new CopyOnWriteArrayList<>();
    private final List<Long> newOwnerSaw = new CopyOnWriteArrayList<>();
    private StandaloneCore core;
    private UnitDriver driver;
    private DmaDevice gpu;

    @BeforeEach
    void start() {
        core = StandaloneCore.builder().log(line -> { }).start();
        driver = new UnitDriver(unit, os, core.pipeline(), new DriverSettings(4, TimeUnit.SECONDS.toNanos(5), 10,
                TimeUnit.SECONDS.toNanos(5)), new RecordingLog(), new AtomicLong()::get);
        driver.start();
        core.register(g -> oldOwner.add(g.defer()), Map.of(HandlerProperties.DOMAIN, "old-process"));
        core.register(g -> otherOwner.add(g.defer()), Map.of(HandlerProperties.DOMAIN, "other-process"));
        core.register(g -> {
            for (int i = 0; i < g.size(); i++) {
                newOwnerSaw.add(g.address(i));
            }
            g.respond(ResponseCode.INVALID);
        }, Map.of(HandlerProperties.DOMAIN, "new-process"));
        driver.attach(GPU, OLD, Domain.sva("old-process"), new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K)
                .root());
        driver.attach(GPU, OTHER, Domain.sva("other-process"),
                new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K).root());
        PriCapability pri = new PriCapability(64, true);
        pri.enable();
        gpu = DmaDevice.withPri("gpu", GPU.rid(), unit, memory, pri);
        unit.connect(GPU.rid(), response -> {
            wire.add(response);
            gpu.receive(response);
        });
    }

    @AfterEach
    void stop() {
        unit.holdPageRequestsInFlight(false);
        driver.stop();
        core.close();
    }

    private CompletableFuture<Optional<PrgResponseMessage>> request(int pasid, long page) {
        return CompletableFuture.supplyAsync(() -> gpu.requestPages(pasid, new long[] {page}, true, false, WAIT));
    }

    private List<PrgResponseMessage> wireFor(int pasid) {
        return wire.stream().filter(r -> r.pasid() == pasid).toList();
    }

    @Test
    void teardownDrainsRequestsInFlightAnswersTheOldOwnersGroupsInvalidAndTheNewOwnerSeesNothingOfThem()
            throws Exception {
        CompletableFuture<Optional<PrgResponseMessage>> queued = request(OLD, VA);
        CompletableFuture<Optional<PrgResponseMessage>> other = request(OTHER, VA + 0x1000);
        DriverRig.await("both groups deferred", () -> oldOwner.size() == 1 && otherOwner.size() == 1);
        unit.holdPageRequestsInFlight(true);
        CompletableFuture<Optional<PrgResponseMessage>> inFlight = request(OLD, VA + 0x2000);
        DriverRig.await("a request in flight", () -> unit.pageRequestsInFlight() == 1);

        driver.detach(GPU, OLD);

        assertThat(unit.pageRequestsInFlight()).isZero();
        assertThat(queued.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(wireFor(OLD)).hasSize(2).allSatisfy(r -> assertThat(r.responseCode()).isEqualTo(0x1));
        assertThat(oldOwner.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(wireFor(OLD)).hasSize(2);
        assertThat(wireFor(OTHER)).isEmpty();

        driver.attach(GPU, OLD, Domain.sva("new-process"), new FirstLevelPageTable(os, FirstLevelPageTable.PAGE_4K)
                .root());
        unit.holdPageRequestsInFlight(false);
        assertThat(newOwnerSaw).isEmpty();
        assertThat(otherOwner.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(other.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x0));

        FaultCounts c = core.statistics().totals();
        assertThat(c.answeredAtDetach()).isEqualTo(2);
        assertThat(c.staleAnswers()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
        assertThat(driver.counters().pasidDrains()).isEqualTo(1);
    }

    @Test
    void removingTheDeviceDrainsItsRequestsInFlightAndAnswersEveryPasidsGroupsInvalid() throws Exception {
        CompletableFuture<Optional<PrgResponseMessage>> queued = request(OTHER, VA);
        DriverRig.await("the group deferred", () -> otherOwner.size() == 1);
        unit.holdPageRequestsInFlight(true);
        CompletableFuture<Optional<PrgResponseMessage>> inFlight = request(OLD, VA + 0x2000);
        DriverRig.await("a request in flight", () -> unit.pageRequestsInFlight() == 1);

        driver.removeDevice(GPU);

        assertThat(unit.pageRequestsInFlight()).isZero();
        assertThat(queued.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(inFlight.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(otherOwner.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(wire).hasSize(2).allSatisfy(r -> assertThat(r.responseCode()).isEqualTo(0x1));
        assertThat(core.statistics().totals().answeredAtRemoval()).isGreaterThanOrEqualTo(1);
    }
}
