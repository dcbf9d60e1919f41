package dev.faultline.smmuv3.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Stopping a driver answers its pending groups and leaves the SMMU running; a new driver takes over and drains
 * what was queued in the gap.
 */
class TakeoverTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");

    private BackendRig rig;
    private TranslationTable table;
    private DmaDevice gpu;
    private final List<DeferredGroup> deferred = new CopyOnWriteArrayList<>();

    @BeforeEach
    void firstDriverWithAStalledTransaction() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        table = rig.stage1();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), table);
        rig.handleDomain("gpu0", g -> deferred.add(g.defer()));
        gpu = rig.device("gpu0", 0x42);
    }

    @AfterEach
    void close() {
        rig.close();
    }

    private DmaTransaction write(long va) {
        return gpu.start(new DmaAccess(0x42, Pasid.NONE, va, AccessType.WRITE, false, 4, false));
    }

    @Test
    void stoppingAnswersPendingGroupsAndTheStallIsAborted() throws Exception {
        DmaTransaction t = write(0x1000);
        BackendRig.await(() -> deferred.size() == 1, "the deferred group");
        assertThat(t.outcome()).isEqualTo(TranslationOutcome.STALLED);

        rig.driver.stop();

        assertThat(t.await(10, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(deferred.get(0).answered()).isTrue();
        assertThat(deferred.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(rig.smmu.read32(SmmuRegisters.CR0) & SmmuRegisters.CR0_SMMUEN).isNotZero();
        assertThat(rig.smmu.read32(SmmuRegisters.IRQ_CTRL)).isZero();
        assertThat(rig.smmu.stalledTransactions()).isZero();
    }

    @Test
    void newDriverDrainsRecordsQueuedInTheGapToTheDomainsHandlerCarriedOver() throws Exception {
        rig.driver.stop();
        StreamTableEntry before = rig.ste(0x42);
        DmaTransaction gap = write(0x2000); // stalls while no driver runs: its record waits in the queue
        assertThat(gap.outcome()).isEqualTo(TranslationOutcome.STALLED);

        rig.start();

        // the core kept the device's attachment across the swap: the domain's handler gets the gap's fault
        BackendRig.await(() -> deferred.size() == 1, "the gap's group at the domain's handler");
        table.map(deferred.get(0).faults().get(0).address() & ~0xfffL, 0x9000_0000L, 0x1000, Protection.READ_WRITE);
        assertThat(deferred.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(gap.await(10, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(gap.physicalAddress()).isEqualTo(0x9000_0000L);
        assertThat(rig.driver.statistics().tookOver()).isTrue();
        assertThat(rig.log.lines()).anyMatch(l -> l.contains("taking over a running SMMU"));
        assertThat(rig.ste(0x42)).isEqualTo(before); // translation kept across the gap

        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), table); // a driver attaching again
        DmaTransaction after = write(0x3000);
        BackendRig.await(() -> deferred.size() == 2, "the re-attached domain's handler");
        deferred.get(1).respond(ResponseCode.INVALID);
        assertThat(after.await(10, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
    }

    @Test
    void gapStallOfADeviceThatLeftIsTerminatedAndPrinted() throws Exception {
        rig.driver.stop();
        DmaTransaction gap = write(0x2000);
        rig.machine.removeDevice(GPU); // unplugged while no driver ran
        rig.start();
        assertThat(gap.await(10, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
        BackendRig.await(() -> rig.log.count("(unassigned sid)") == 1, "the print");
        assertThat(rig.log.lines()).anyMatch(l -> l.endsWith("unpriv data write s1 \"Input address caused fault\" stall stag: 0x"
                + Integer.toHexString(EndToEndTest.resumes(rig).get(0).stag())));
    }
}
