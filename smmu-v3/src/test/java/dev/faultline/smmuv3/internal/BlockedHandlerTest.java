package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PrgResponseMessage;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * An inline handler that blocks holds the SMMU's fault thread; past the core's blocking threshold the driver
 * leaves that thread to the handler and goes on with the event and PRI queues on a fresh one, so the other
 * devices behind the SMMU are served while the handler still blocks, and no record is reported twice.
 */
class BlockedHandlerTest {
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    private static final long VA = 0x7f00_0040_0000L;

    private final CountDownLatch release = new CountDownLatch(1);
    private final AtomicInteger stuckCalls = new AtomicInteger();
    private final List<Boolean> answersAccepted = new CopyOnWriteArrayList<>();
    private BackendRig rig;

    @AfterEach
    void close() {
        release.countDown();
        if (rig != null) {
            rig.close();
        }
    }

    private void blockForever(FaultGroup g) {
        stuckCalls.incrementAndGet();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        answersAccepted.add(g.respond(ResponseCode.SUCCESS));
    }

    private CompletableFuture<Optional<PrgResponseMessage>> stuckRequest(int pasid, long page) {
        var nic = rig.priDevice("nic", 0x300);
        return CompletableFuture.supplyAsync(() -> nic.requestPages(pasid, new long[] {page}, true, false,
                BackendRig.WAIT));
    }

    @Test
    void anotherDevicesStallIsServedWhileAHandlerStillBlocksTheFaultThreadItWasCalledOn() throws Exception {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri", "platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        rig.handleDomain("stuck", this::blockForever);
        TranslationTable gpuTable = rig.stage1();
        rig.handleDomain("gpu0", g -> {
            gpuTable.map(g.address(0) & ~0xfffL, 0x9000_0000L, 0x1000, Protection.READ_WRITE);
            g.respond(ResponseCode.SUCCESS);
        });
        rig.driver.attachStage1(NIC, 7, Domain.sva("stuck"), rig.stage1());
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), gpuTable);
        CompletableFuture<Optional<PrgResponseMessage>> stuck = stuckRequest(7, VA);
        BackendRig.await(() -> stuckCalls.get() == 1, "the handler blocks the fault thread");

        DmaResult gpuWrite = rig.device("gpu0", 0x42).write(Pasid.NONE, 0x4000, new byte[] {1}, BackendRig.WAIT);

        assertThat(gpuWrite.status()).as("served while the other handler still blocks").isEqualTo(DmaStatus.COMPLETED);
        assertThat(release.getCount()).isOne();
        DriverStatistics s = rig.driver.statistics();
        assertThat(s.reportsAbandoned()).isEqualTo(1);
        assertThat(s.threadsBlocked()).isEqualTo(1);

        // the blocked request is answered on the handler's behalf at its deadline; its own answer comes too late
        assertThat(stuck.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x1));
        release.countDown();
        BackendRig.await(() -> rig.driver.statistics().threadsBlocked() == 0, "the abandoned thread returned");
        assertThat(answersAccepted).as("its answer, after the core answered on its behalf").containsExactly(false);
        assertThat(stuckCalls.get()).as("the record in flight was reported once, not again by the successor")
                .isEqualTo(1);

        // the successor goes on: the blocked device's next request reaches its handler, which now returns
        CompletableFuture<Optional<PrgResponseMessage>> next = stuckRequest(7, VA + 0x1000);
        assertThat(next.get(10, TimeUnit.SECONDS)).hasValueSatisfying(r -> assertThat(r.responseCode())
                .isEqualTo(0x0));
        assertThat(stuckCalls.get()).isEqualTo(2);
    }
}
