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
 * A device unplugged while its handler is still working on its fault: the core lets the running call answer
 * (its documented rule), and the driver must still turn that answer into the hardware command, although the
 * device is gone from its tables by then; otherwise the stalled transaction would wait forever. Found by the
 * chaos soak.
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
    void theAnswerOfAHandlerCallThatOutlivesTheDeviceStillResumesTheStall() throws Exception {
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
    }
}
