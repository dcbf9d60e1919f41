package dev.faultline.smmuv3.internal;

import static dev.faultline.smmuv3.internal.BackendRig.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Queue overflow episodes: detected once per episode, acknowledged, and (PRI) partial groups discarded. The
 * fault thread is held inside a handler so that the queues fill while it cannot drain them.
 */
class OverflowTest {
    private static final DeviceId DSP = DeviceId.parse("platform:dsp0");
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");

    private BackendRig rig;

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void eventQueueOverflowIsReportedOnceAndAcknowledged() throws Exception {
        rig = new BackendRig("platform:dsp0@smmuv3.0:0x60");
        rig.start(new DriverSettings(2, 2, 8, 10, 5000, true, 1000)); // 4 event queue entries
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        rig.handleDomain("dsp0", g -> {
            if (delivered.getAndIncrement() == 0) {
                inHandler.countDown();
                await(release);
            }
        });
        DmaDevice dsp = rig.device("dsp0", 0x60);
        dsp.read(Pasid.NONE, 0x1000, 4, WAIT);
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 0; i < 10; i++) { // 3 fit beside the one being handled; 7 are discarded
            dsp.read(Pasid.NONE, 0x2000L + i * 0x1000L, 4, WAIT);
        }
        assertThat(rig.smmu.statistics().eventsDiscarded()).isEqualTo(7);
        release.countDown();
        BackendRig.await(() -> delivered.get() == 4, "the four recorded faults");
        BackendRig.await(() -> QueuePointer.overflow(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD))
                == QueuePointer.overflow(rig.smmu.read32(SmmuRegisters.EVENTQ_CONS)), "the acknowledgement");
        // the fault thread counts the episode just after it acknowledges it: wait for the count, not a proxy
        BackendRig.await(() -> rig.driver.statistics().eventOverflows() == 1, "the episode counted");
        assertThat(rig.log.count("EVTQ overflow detected -- events lost")).isEqualTo(1);
        assertThat(rig.core.statistics().iommus()).singleElement().satisfies(iommu -> {
            assertThat(iommu.faultRecordOverflows()).as("in the core's statistics too").isEqualTo(1);
            assertThat(iommu.pageRequestOverflows()).isZero();
        });

        dsp.read(Pasid.NONE, 0x40_0000L, 4, WAIT); // no overflow now: not reported again
        BackendRig.await(() -> delivered.get() == 5, "the next fault");
        assertThat(rig.log.count("EVTQ overflow detected")).isEqualTo(1);
    }

    @Test
    void priQueueOverflowAutoAnswersDiscardedGroupsAndDiscardsPartials() throws Exception {
        rig = new BackendRig("0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start(new DriverSettings(8, 1, 8, 10, 5000, true, 1000)); // 2 PRI queue entries
        rig.driver.attachStage1(NIC, Pasid.NONE, Domain.dma("nic-dma"), rig.stage1());
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        rig.handleDomain("nic-dma", g -> {
            inHandler.countDown();
            await(release);
            g.respond(ResponseCode.INVALID);
        });
        DmaDevice nic = rig.priDevice("nic", 0x300);
        Thread first = new Thread(() -> nic.requestPages(Pasid.NONE, new long[] {0x1000}, true, false, WAIT));
        first.start();
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        // while the fault thread is busy: a 3-request group; 2 fit (the first entry is still unconsumed),
        // the last is discarded and the SMMU answers it Success by itself
        Optional<PrgResponseMessage> auto = nic.requestPages(Pasid.NONE,
                new long[] {0x10_0000, 0x10_1000, 0x10_2000}, true, true, WAIT);
        assertThat(auto).map(PrgResponseMessage::responseCode).contains(0b0000);
        assertThat(rig.smmu.statistics().autoResponses()).isEqualTo(1);
        release.countDown();
        first.join(TimeUnit.SECONDS.toMillis(10));
        BackendRig.await(() -> rig.driver.statistics().priOverflows() == 1, "overflow detection");
        BackendRig.await(() -> rig.core.statistics().totals().discardedPartials() == 1, "the partial discarded");
        assertThat(rig.core.statistics().iommus()).singleElement().satisfies(iommu -> {
            assertThat(iommu.pageRequestOverflows()).as("in the core's statistics too").isEqualTo(1);
            assertThat(iommu.faultRecordOverflows()).isZero();
        });
        assertThat(rig.log.count("PRIQ overflow detected -- requests lost")).isEqualTo(1);
        assertThat(rig.core.statistics().totals().pending()).isZero();
        assertThat(QueuePointer.overflow(rig.smmu.read32(SmmuRegisters.PRIQ_PROD)))
                .isEqualTo(QueuePointer.overflow(rig.smmu.read32(SmmuRegisters.PRIQ_CONS)));
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
