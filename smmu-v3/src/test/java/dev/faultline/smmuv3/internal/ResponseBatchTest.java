package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.smmuv3.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Responses given while the fault thread handles a drained batch share one CMD_SYNC, counted in the command queue
 * the SMMU model consumed; each reaches its device exactly once, at once (not when the batch ends), in order.
 */
class ResponseBatchTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    private static final long BASE = 0x7f00_0000_0000L;

    private BackendRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    /** A driver without threads: the test runs each pass, so what one pass drains is known exactly. */
    private SmmuDriver startWithoutThreads() {
        rig.driver = new SmmuDriver(rig.smmu, rig.machine, rig.core.pipeline(), DriverSettings.defaults(), rig.log,
                rig.ticker::get, () -> { }, Runnable::run);
        rig.driver.start();
        rig.driver.pass(); // the first pass, which finds nothing queued
        return rig.driver;
    }

    private List<Command> commandsSince(int from) {
        List<Command> all = rig.commands();
        return all.subList(from, all.size());
    }

    private static long count(List<Command> commands, Class<? extends Command> type) {
        return commands.stream().filter(type::isInstance).count();
    }

    @Test
    void stallsDrainedInOnePassAreResumedWithOneSync() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        SmmuDriver driver = startWithoutThreads();
        TranslationTable table = rig.stage1();
        driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), table);
        AtomicLong frame = new AtomicLong(0x9000_0000L);
        List<Long> answered = new ArrayList<>();
        rig.handleDomain("gpu0", g -> {
            long page = g.address(0) & ~0xfffL;
            table.map(page, frame.getAndAdd(0x1000), 0x1000, Protection.READ_WRITE);
            answered.add(page);
            g.respond(ResponseCode.SUCCESS);
        });
        int before = rig.commands().size();
        List<DmaTransaction> stalled = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            stalled.add(rig.smmu.issue(DmaAccess.of(0x42, BASE + i * 0x1000L, AccessType.WRITE, 8)));
        }
        assertThat(stalled).allMatch(tx -> tx.outcome() == TranslationOutcome.STALLED);

        driver.pass();

        assertThat(stalled).allMatch(tx -> tx.outcome() == TranslationOutcome.TRANSLATED);
        List<Command> issued = commandsSince(before);
        assertThat(count(issued, Command.Resume.class)).isEqualTo(16);
        assertThat(count(issued, Command.Sync.class)).isEqualTo(1);
        assertThat(issued.get(issued.size() - 1)).isInstanceOf(Command.Sync.class);
        // in the order the stalls were queued: each STAG resumed once
        List<Integer> stags = issued.stream().filter(Command.Resume.class::isInstance)
                .map(c -> ((Command.Resume) c).stag()).toList();
        assertThat(stags).doesNotHaveDuplicates().hasSize(16);
        assertThat(answered).containsExactlyElementsOf(
                stalled.stream().map(tx -> tx.access().pageAddress()).toList());
        assertThat(rig.smmu.statistics().resumesUnmatched()).isZero();
    }

    @Test
    void aSingleResponseIsNotHeldForABatch() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        SmmuDriver driver = startWithoutThreads();
        TranslationTable table = rig.stage1();
        driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), table);
        AtomicReference<TranslationOutcome> seenAfterRespond = new AtomicReference<>();
        AtomicReference<DmaTransaction> tx = new AtomicReference<>();
        rig.handleDomain("gpu0", g -> {
            table.map(g.address(0) & ~0xfffL, 0x9000_0000L, 0x1000, Protection.READ_WRITE);
            g.respond(ResponseCode.SUCCESS);
            seenAfterRespond.set(tx.get().outcome()); // still inside the batch: the device has its answer already
        });
        int before = rig.commands().size();
        tx.set(rig.smmu.issue(DmaAccess.of(0x42, BASE, AccessType.READ, 8)));

        driver.pass();

        assertThat(seenAfterRespond.get()).isEqualTo(TranslationOutcome.TRANSLATED);
        List<Command> issued = commandsSince(before);
        assertThat(issued).hasSize(2);
        assertThat(issued.get(0)).isInstanceOf(Command.Resume.class);
        assertThat(issued.get(1)).isInstanceOf(Command.Sync.class);
    }

    @Test
    void priResponsesOfABatchShareOneSyncAndAPassWithoutResponsesHasNone() {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        SmmuDriver driver = startWithoutThreads();
        driver.attachStage1(NIC, 5, Domain.sva("nic"), rig.stage1());
        List<DeferredGroup> later = new ArrayList<>();
        AtomicLong calls = new AtomicLong();
        rig.handleDomain("nic", g -> {
            if (calls.getAndIncrement() % 2 == 0) {
                g.respond(ResponseCode.INVALID);
            } else {
                later.add(g.defer()); // answered off the fault thread, after the pass
            }
        });
        rig.priDevice("nic", 0x300);
        int before = rig.commands().size();
        for (int i = 0; i < 8; i++) {
            rig.smmu.pageRequest(new PageRequestMessage(0x300, 5, false, false, true, false, true, i,
                    BASE + i * 0x1000L));
        }

        driver.pass();

        List<Command> inPass = commandsSince(before);
        assertThat(count(inPass, Command.PriResponse.class)).isEqualTo(4);
        assertThat(count(inPass, Command.Sync.class)).isEqualTo(1);
        assertThat(rig.wire).hasSize(4).allMatch(r -> r.code() == PrgResponseCode.INVALID_REQUEST);

        int afterPass = rig.commands().size();
        driver.pass(); // nothing queued: no response, no sync
        assertThat(rig.commands()).hasSize(afterPass);

        later.forEach(d -> d.respond(ResponseCode.SUCCESS)); // from this thread, outside any batch: one sync each
        List<Command> deferred = commandsSince(afterPass);
        assertThat(count(deferred, Command.PriResponse.class)).isEqualTo(4);
        assertThat(count(deferred, Command.Sync.class)).isEqualTo(4);
        assertThat(rig.wire).hasSize(8);
        assertThat(rig.wire.stream().map(r -> r.prgIndex()).toList())
                .containsExactlyInAnyOrder(0, 1, 2, 3, 4, 5, 6, 7);
    }
}
