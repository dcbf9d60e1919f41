package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.smmuv3.Command;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Detach, nested re-attach and device removal on an SMMUv3: the CD or STE change is made visible (CMD_CFGI_*,
 * CMD_SYNC), the event and PRI queues are drained, and only then does the core's barrier answer everything of
 * the old owner: stalls resumed with abort, page requests answered InvalidRequest, late answers of the old owner
 * refused and never on the wire, nothing of the old PASID handed to the next owner, other PASIDs untouched.
 */
class TeardownTest {
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    private static final int OLD = 5;
    private static final int OTHER = 6;
    private static final long VA = 0x7f00_0040_0000L;

    private BackendRig rig;
    private final List<DeferredGroup> oldOwner = new CopyOnWriteArrayList<>();
    private final List<DeferredGroup> otherOwner = new CopyOnWriteArrayList<>();
    private final List<Long> newOwnerSaw = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    private DmaDevice priRig() {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start();
        rig.handleDomain("old-process", g -> oldOwner.add(g.defer()));
        rig.handleDomain("other-process", g -> otherOwner.add(g.defer()));
        rig.handleDomain("new-process", g -> {
            for (int i = 0; i < g.size(); i++) {
                newOwnerSaw.add(g.address(i));
            }
            g.respond(ResponseCode.INVALID);
        });
        rig.driver.attachStage1(NIC, OLD, Domain.sva("old-process"), rig.stage1());
        rig.driver.attachStage1(NIC, OTHER, Domain.sva("other-process"), rig.stage1());
        return rig.priDevice("nic", 0x300);
    }

    private static CompletableFuture<Optional<PrgResponseMessage>> request(DmaDevice d, int pasid, long page) {
        return CompletableFuture.supplyAsync(() -> d.requestPages(pasid, new long[] {page}, true, false,
                BackendRig.WAIT));
    }

    private List<PrgResponseMessage> wireFor(int pasid) {
        return rig.wire.stream().filter(r -> r.pasid() == pasid).toList();
    }

    @Test
    void detachAnswersTheOldOwnersGroupsInvalidRefusesItsLateAnswerAndLeavesTheOtherPasidAlone() throws Exception {
        DmaDevice nic = priRig();
        CompletableFuture<Optional<PrgResponseMessage>> old = request(nic, OLD, VA);
        CompletableFuture<Optional<PrgResponseMessage>> other = request(nic, OTHER, VA + 0x1000);
        BackendRig.await(() -> oldOwner.size() == 1 && otherOwner.size() == 1, "both groups deferred");

        rig.driver.detach(NIC, OLD);

        assertThat(old.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(oldOwner.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(wireFor(OLD)).singleElement().extracting(PrgResponseMessage::responseCode).isEqualTo(0x1);
        assertThat(rig.commands()).anySatisfy(c -> assertThat(c.opcode()).isEqualTo(Command.OP_CFGI_CD));
        assertThat(wireFor(OTHER)).isEmpty();
        assertThat(otherOwner.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(other.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x0));
        FaultCounts c = rig.core.statistics().totals();
        assertThat(c.answeredAtDetach()).isEqualTo(1);
        assertThat(c.staleAnswers()).isEqualTo(1);
        assertThat(rig.driver.statistics().teardownDrains()).isEqualTo(1);
    }

    @Test
    void aPageRequestStillInThePriQueueAtDetachIsAnsweredForTheOldOwnerNeverHandedToTheNext() throws Exception {
        DmaDevice nic = priRig();
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        rig.handleDomain("blocker", g -> {
            blocked.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            g.respond(ResponseCode.INVALID);
        });
        rig.driver.attachStage1(NIC, 7, Domain.sva("blocker"), rig.stage1());
        CompletableFuture<Optional<PrgResponseMessage>> blocker = request(nic, 7, VA);
        assertThat(blocked.await(10, TimeUnit.SECONDS)).isTrue(); // the fault thread is busy in that call
        CompletableFuture<Optional<PrgResponseMessage>> queued = request(nic, OLD, VA + 0x2000);
        BackendRig.await(() -> rig.smmu.statistics().priEntriesWritten() >= 2, "the request in the PRI queue");

        CompletableFuture<Void> detach = CompletableFuture.runAsync(() -> rig.driver.detach(NIC, OLD));
        BackendRig.await(() -> detach.isDone() || rig.driver.teardownWaitsForTheFaultThread(),
                "the detach returned or waits for the queue pass");
        boolean returnedBeforeTheQueueWasDrained = detach.isDone();
        if (returnedBeforeTheQueueWasDrained) {
            rig.driver.attachStage1(NIC, OLD, Domain.sva("new-process"), rig.stage1());
        }
        release.countDown();
        detach.get(10, TimeUnit.SECONDS);
        if (!returnedBeforeTheQueueWasDrained) {
            rig.driver.attachStage1(NIC, OLD, Domain.sva("new-process"), rig.stage1());
        }

        assertThat(queued.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(blocker.get(10, TimeUnit.SECONDS)).isPresent();
        assertThat(newOwnerSaw).isEmpty();
        assertThat(returnedBeforeTheQueueWasDrained).isFalse();
        assertThat(rig.core.statistics().totals().answeredAtDetach()).isEqualTo(1);
    }

    @Test
    void removingAStallingDeviceResumesItsStallsWithAbortRefusesLateAnswersAndTerminatesTheRest()
            throws Exception {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), rig.stage1());
        rig.handleDomain("gpu0", g -> oldOwner.add(g.defer()));
        DmaTransaction stalled = rig.device("gpu0", 0x42)
                .start(new DmaAccess(0x42, Pasid.NONE, 0x5000, AccessType.WRITE, false, 4, false));
        BackendRig.await(() -> oldOwner.size() == 1, "the stall deferred");

        assertThat(rig.machine.removeDevice(GPU)).isTrue();

        assertThat(stalled.await(10, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(oldOwner.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(rig.smmu.stalledTransactions()).isZero();
        assertThat(rig.commands()).extracting(Command::opcode).contains(Command.OP_RESUME, Command.OP_STALL_TERM)
                .doesNotContainSequence(Command.OP_STALL_TERM, Command.OP_RESUME);
        assertThat(rig.core.statistics().totals().answeredAtRemoval()).isEqualTo(1);
        assertThat(rig.core.statistics().totals().staleAnswers()).isEqualTo(1);
        assertThat(rig.driver.statistics().stallsTerminated()).isEqualTo(1);
    }

    /**
     * A driver without threads (a simulation whose actors share one Java thread): the fault thread's pass, kicked
     * while a teardown's drain holds the queues (here from inside the handler call the drain made), returns at once
     * without running, instead of waiting for a holder that can go on only once it returns; once the drain is
     * over, the pass runs.
     */
    @Test
    void withoutThreadsAPassKickedWhileATeardownDrainsTheQueuesReturnsAtOnceAndRunsLater() throws Exception {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        rig.driver = new SmmuDriver(rig.smmu, rig.machine, rig.core.pipeline(), DriverSettings.defaults(), rig.log,
                rig.ticker::get, () -> { }, Runnable::run);
        rig.driver.start();
        List<Boolean> passesDuringTheDrain = new CopyOnWriteArrayList<>();
        rig.handleDomain("old-process", g -> {
            passesDuringTheDrain.add(rig.driver.pass());
            oldOwner.add(g.defer());
        });
        rig.driver.attachStage1(NIC, OLD, Domain.sva("old-process"), rig.stage1());
        DmaDevice nic = rig.priDevice("nic", 0x300);
        CompletableFuture<Optional<PrgResponseMessage>> old = request(nic, OLD, VA);
        BackendRig.await(() -> rig.smmu.statistics().priEntriesWritten() == 1, "the request in the PRI queue");

        CompletableFuture.runAsync(() -> rig.driver.detach(NIC, OLD)).get(10, TimeUnit.SECONDS);

        assertThat(passesDuringTheDrain).containsExactly(false);
        assertThat(old.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        assertThat(rig.driver.statistics().teardownDrains()).isEqualTo(1);
        assertThat(rig.driver.statistics().teardownDrainsTimedOut()).isZero();
        assertThat(rig.driver.pass()).as("the queues are free again").isTrue();
    }
}
