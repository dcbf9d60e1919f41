package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.vtd.InvalidationType;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Page group responses written while the interrupt thread handles a drained batch share one invalidation wait,
 * counted in the invalidation queue the unit consumed; each reaches its device exactly once, at once, in order.
 */
class ResponseBatchTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final int PASID = 5;
    private static final long VA = 0x7f00_0040_0000L;

    private final DriverRig rig = new DriverRig();
    private final List<PrgResponseMessage> wire = new ArrayList<>();
    private StandaloneCore core;
    private UnitDriver driver;
    private int consumed;

    @BeforeEach
    void start() {
        core = StandaloneCore.builder().start();
        // without threads: the test runs each pass, so what one pass drains is known exactly
        driver = new UnitDriver(rig.unit, rig.os, core.pipeline(), new DriverSettings(4, TimeUnit.SECONDS.toNanos(5),
                10, TimeUnit.SECONDS.toNanos(5)), rig.log, System::nanoTime, () -> { }, Runnable::run);
        driver.start();
        driver.pass();
        driver.attach(GPU, PASID, Domain.sva("gpu-process"), new FirstLevelPageTable(rig.os,
                FirstLevelPageTable.PAGE_4K).root());
        rig.unit.connect(GPU.rid(), wire::add);
        consumed = head();
    }

    @AfterEach
    void stop() {
        driver.stop();
        core.close();
    }

    private int head() {
        return (int) (rig.unit.read64(RegisterMap.IQH) / 32);
    }

    /** The types of the descriptors the unit consumed since the last call (the queue holds 256). */
    private List<InvalidationType> consumedSince() {
        long base = rig.unit.read64(RegisterMap.IQA) & RegisterMap.QUEUE_BASE_MASK;
        List<InvalidationType> types = new ArrayList<>();
        int to = head();
        for (int i = consumed; i != to; i = (i + 1) % 256) {
            types.add(InvalidationType.of(rig.memory.read64(base + 32L * i)));
        }
        consumed = to;
        return types;
    }

    private void request(int index) {
        rig.unit.pageRequest(new PageRequestMessage(GPU.rid(), PASID, false, false, true, false, true, index,
                VA + index * 0x1000L));
    }

    private static long count(List<InvalidationType> types, InvalidationType type) {
        return types.stream().filter(t -> t == type).count();
    }

    @Test
    void responsesOfOneDrainedBatchShareOneWait() {
        core.register(g -> g.respond(ResponseCode.SUCCESS), Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        for (int i = 0; i < 16; i++) {
            request(i);
        }

        driver.pass();

        List<InvalidationType> types = consumedSince();
        assertThat(count(types, InvalidationType.PAGE_GROUP_RESPONSE)).isEqualTo(16);
        assertThat(count(types, InvalidationType.WAIT)).isEqualTo(1);
        assertThat(types.get(types.size() - 1)).isEqualTo(InvalidationType.WAIT);
        assertThat(wire).extracting(PrgResponseMessage::prgIndex).containsExactly(
                0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        assertThat(wire).allMatch(r -> r.code() == PrgResponseCode.SUCCESS);
        assertThat(rig.unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_IQE).isZero();
    }

    @Test
    void aSingleResponseReachesTheDeviceBeforeTheBatchEnds() {
        AtomicInteger seenInHandler = new AtomicInteger(-1);
        core.register(g -> {
            g.respond(ResponseCode.SUCCESS);
            seenInHandler.set(wire.size()); // still inside the batch: the device has its response already
        }, Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        request(3);

        driver.pass();

        assertThat(seenInHandler.get()).isEqualTo(1);
        assertThat(consumedSince()).containsExactly(InvalidationType.PAGE_GROUP_RESPONSE, InvalidationType.WAIT);
        driver.pass(); // nothing queued: nothing written
        assertThat(consumedSince()).isEmpty();
    }

    @Test
    void answersFromAnotherThreadEachHaveTheirOwnWait() throws Exception {
        List<DeferredGroup> later = new ArrayList<>();
        core.register(g -> later.add(g.defer()), Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        for (int i = 0; i < 4; i++) {
            request(i);
        }
        driver.pass();
        assertThat(consumedSince()).isEmpty(); // nothing answered in the pass: no wait either

        Thread answering = new Thread(() -> later.forEach(d -> d.respond(ResponseCode.INVALID)));
        answering.start();
        answering.join(10_000);

        assertThat(consumedSince()).containsExactly(InvalidationType.PAGE_GROUP_RESPONSE, InvalidationType.WAIT,
                InvalidationType.PAGE_GROUP_RESPONSE, InvalidationType.WAIT, InvalidationType.PAGE_GROUP_RESPONSE,
                InvalidationType.WAIT, InvalidationType.PAGE_GROUP_RESPONSE, InvalidationType.WAIT);
        assertThat(wire).hasSize(4).allMatch(r -> r.code() == PrgResponseCode.INVALID_REQUEST);
    }

    @Test
    void aBadDescriptorInABatchIsRecoveredAtOnceAndTheResponsesBehindItStillArrive() {
        DriverRig bare = new DriverRig();
        List<PrgResponseMessage> received = new ArrayList<>();
        bare.unit.connect(GPU.rid(), received::add);
        InvalidationQueue queue = new InvalidationQueue(bare.unit, bare.os,
                new DmarLog(bare.log, 10, TimeUnit.SECONDS.toNanos(5), System::nanoTime), System::nanoTime,
                TimeUnit.SECONDS.toNanos(5));
        PageResponses responses = new PageResponses("dmar0", 0, queue,
                new DmarLog(bare.log, 10, TimeUnit.SECONDS.toNanos(5), System::nanoTime));

        responses.openBatch();
        responses.respond(GPU.rid(), true, PASID, 0, 1, 0, 0);
        assertThat(queue.submitResponse(0x9 | 1L << 5, 1L << 2, 0, 0)).isTrue(); // reserved qw0 bit 5: IQE
        assertThat(bare.unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_IQE).isZero(); // recovered at once
        responses.respond(GPU.rid(), true, PASID, 0, 2, 0, 0);
        assertThat(received).extracting(PrgResponseMessage::prgIndex).containsExactly(1, 2); // before the wait
        responses.closeBatch();

        assertThat(queue.errors()).isEqualTo(1);
        assertThat(queue.waits()).isEqualTo(1);
        assertThat(queue.timeouts()).isZero();
        assertThat(responses.sent()).isEqualTo(2);
        assertThat(bare.lines).anyMatch(l -> l.contains("VT-d detected invalid descriptor: low=29, high=4"));
    }
}
