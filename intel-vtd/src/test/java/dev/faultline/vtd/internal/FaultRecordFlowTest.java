package dev.faultline.vtd.internal;

import static dev.faultline.vtd.internal.DriverRig.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Real DMA faults through the unit's fault recording registers and the driver. */
class FaultRecordFlowTest {
    private static final PciRequesterId NIC = new PciRequesterId(0, 3, 0, 0);
    private static final int PASID = 5;
    private static final long VA = 0x7fff_dead_b000L;
    private static final Duration WAIT = Duration.ofSeconds(10);

    private final DriverRig rig = new DriverRig();
    private FirstLevelPageTable table;
    private DmaDevice nic;

    @BeforeEach
    void attach() {
        rig.start();
        table = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(NIC, PASID, Domain.dma("nic-dma"), table.root());
        nic = DmaDevice.of("nic", NIC.rid(), rig.unit, rig.memory);
    }

    @AfterEach
    void stop() {
        rig.close();
    }

    private void faultOnce(long address) {
        long before = handled();
        assertThat(nic.read(PASID, address, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        await("the fault to be handled", () -> handled() == before + 1);
    }

    /** Faults the driver finished with: delivered, printed, suppressed or silenced. */
    private long handled() {
        DriverCounters c = rig.driver.counters();
        return c.faultsDelivered() + c.faultsPrinted() + c.faultsPrintSuppressed() + c.faultsGuestSilenced();
    }

    @Test
    void deliversTheFaultWithItsRawRecordToTheDevicesHandler() {
        faultOnce(VA + 0x10);
        // a first-level not-present fault with PASID 5: F, T1 = read, FR 0x71, PP, SID 0x300
        FaultRecord record = FaultRecord.of(NIC.rid(), PASID, VA, true, false, false, 0x71);
        assertThat(rig.pipeline.faults).containsExactly(new UnrecoverableFault(NIC,
                UnrecoverableFault.ADDR_VALID | UnrecoverableFault.PASID_VALID, PASID, Permissions.READ, VA, 0,
                HardwareRecord.of("vtd-frcd", record.low(), record.high())));
        assertThat(rig.lines).isEmpty();
        assertThat(rig.driver.counters().faultsDelivered()).isEqualTo(1);
    }

    @Test
    void reportsWritesWithoutPasidThroughRidPasid() {
        FirstLevelPageTable own = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        own.map(0x10_0000L, rig.pages.allocatePage(), 0x1000, PageProtection.READ_ONLY);
        rig.driver.attach(NIC, Pasid.NONE, Domain.dma("nic-dma"), own.root());
        assertThat(nic.write(Pasid.NONE, 0x10_0000L, new byte[4], WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        await("the fault", () -> rig.pipeline.faults.size() == 1);
        UnrecoverableFault fault = rig.pipeline.faults.get(0);
        assertThat(fault.hasPasid()).isFalse();
        assertThat(fault.permissions()).isEqualTo(Permissions.WRITE);
        assertThat(FaultRecord.decode(fault.record().word(0), fault.record().word(1)).reasonCode()).isEqualTo(0x85);
    }

    @Test
    void printsUnhandledFaultsInTheKernelsExactFormatRateLimited() {
        rig.pipeline.unrecoverable = fault -> ReportOutcome.NO_HANDLER;
        for (int i = 0; i < 12; i++) {
            faultOnce(VA);
        }
        String line = "DMAR: [DMA Read PASID 0x5] Request device [03:00.0] fault addr 0x7fffdeadb000 "
                + "[fault reason 0x71] SM: Present bit in first-level paging entry is clear";
        assertThat(rig.lines).hasSize(10).containsOnly(line);
        assertThat(rig.driver.counters().faultsPrintSuppressed()).isEqualTo(2);
        rig.clock.addAndGet(5_000_000_000L);
        faultOnce(VA);
        assertThat(rig.lines).hasSize(12).endsWith("dmar_fault: 2 callbacks suppressed", line);
    }

    @Test
    void printsFaultsOfDevicesTheDriverDoesNotKnow() {
        PciRequesterId stranger = new PciRequesterId(0, 0, 2, 0);
        DmaDevice gfx = DmaDevice.of("gfx", stranger.rid(), rig.unit, rig.memory);
        assertThat(gfx.read(Pasid.NONE, 0x7f00_1000L, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        await("the line", () -> rig.lines.size() == 1);
        assertThat(rig.lines).containsExactly("DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr "
                + "0x7f001000 [fault reason 0x39] SM: Present bit in Root Entry is clear");
        assertThat(rig.pipeline.faults).isEmpty();
    }

    @Test
    void neverPrintsAGuestsFaultsAndStillReportsThem() {
        PciRequesterId vf = new PciRequesterId(0, 3, 1, 0);
        FirstLevelPageTable guestTable = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(vf, Pasid.NONE, Domain.nested("vm1-vf", "vm1"), guestTable.root());
        DmaDevice guestDevice = DmaDevice.of("vf", vf.rid(), rig.unit, rig.memory);
        rig.pipeline.unrecoverable = fault -> ReportOutcome.NO_HANDLER;
        for (int pasid : new int[] {Pasid.NONE, 7}) { // PASID 7 has no attachment: the nested RID_PASID one rules
            long before = rig.driver.counters().faultsGuestSilenced();
            guestDevice.read(pasid, 0x1000, 8, WAIT);
            await("the fault", () -> rig.driver.counters().faultsGuestSilenced() == before + 1);
        }
        assertThat(rig.pipeline.faults).extracting(UnrecoverableFault::device).containsOnly(vf);
        assertThat(rig.lines).isEmpty();
    }

    @Test
    void countsRecordsTheHardwareDroppedWhenItsRegistersWereFull() throws InterruptedException {
        CountDownLatch inHandler = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        rig.pipeline.unrecoverable = fault -> {
            inHandler.countDown();
            awaitQuietly(release); // the driver's thread is busy in the core while more faults arrive
            return ReportOutcome.DELIVERED;
        };
        nic.read(PASID, VA, 8, WAIT);
        assertThat(inHandler.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 10; i++) { // 8 registers: 8 recorded, 2 dropped with PFO
            nic.read(PASID, VA + 0x1000L * i, 8, WAIT);
        }
        assertThat(rig.unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_PFO).isNotZero();
        release.countDown();
        await("the recorded faults", () -> rig.driver.counters().faultsDelivered() == 9);
        assertThat(rig.pipeline.faults).extracting(UnrecoverableFault::address).startsWith(VA, VA + 0x1000)
                .doesNotContain(VA + 0x9000, VA + 0xa000);
        assertThat(rig.driver.counters().faultRecordOverflows()).isEqualTo(1);
        assertThat(rig.unit.counters().faultsOverflowed()).isEqualTo(2);
        assertThat(rig.unit.read32(RegisterMap.FSTS) & RegisterMap.FSTS_PFO).isZero();
        faultOnce(VA + 0x20000);
        assertThat(rig.pipeline.faults).hasSize(10);
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
