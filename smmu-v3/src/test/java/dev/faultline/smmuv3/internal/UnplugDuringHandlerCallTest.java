package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A device unplugged while its handler is still working on its fault: the removal is a change of owner, so the
 * core answers the group INVALID at once (the stall is resumed with abort although the device is gone from the
 * driver's tables by then) and the handler's later answer is refused as stale, never sent. The driver's drain
 * waits for the fault thread's pass (held up by that very call) only up to its sync timeout. Found by the chaos
 * soak.
 */
class UnplugDuringHandlerCallTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");

    private BackendRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    @Test
    void theCoreAnswersAHandlerCallThatOutlivesTheDeviceAndItsLateAnswerIsRefused() throws Exception {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), rig.stage1());
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch unplugged = new CountDownLatch(1);
        rig.handleDomain("gpu0", g -> {
            inCall.countDown();
            try {
                unplugged.await(BackendRig.WAIT.toSeconds(), TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            g.respond(ResponseCode.SUCCESS);
        });
        DmaTransaction stalled = rig.device("gpu0", 0x42)
                .start(new DmaAccess(0x42, Pasid.NONE, 0x5000, AccessType.WRITE, false, 4, false));
        assertThat(inCall.await(BackendRig.WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

        assertThat(rig.machine.removeDevice(GPU)).isTrue();
        unplugged.countDown();

        assertThat(stalled.await(BackendRig.WAIT.toSeconds(), TimeUnit.SECONDS))
                .as("the stalled write is resumed (and, its stream now aborting, terminated)")
                .isEqualTo(TranslationOutcome.ABORTED);
        assertThat(rig.smmu.stalledTransactions()).isZero();
        assertThat(rig.driver.statistics().lostResponses()).isZero();
        BackendRig.await(() -> rig.core.statistics().totals().staleAnswers() == 1, "the handler's late answer");
        assertThat(rig.core.statistics().totals().answeredAtRemoval()).isEqualTo(1);
        DriverStatistics s = rig.driver.statistics();
        assertThat(s.teardownDrainsTimedOut() + s.reportsAbandoned())
                .as("the removal's drain gave up after the sync timeout, or got the queues from the fault thread's"
                        + " successor once the core found the call blocked; it never waited for the handler")
                .isPositive();
    }
}
