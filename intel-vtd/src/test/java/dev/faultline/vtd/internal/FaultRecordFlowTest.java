package dev.faultline.vtd.internal;

import static dev.faultline.vtd.internal.DriverRig.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.PasidTranslationType;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.platform.x86.SecondLevelPageTable;
import dev.faultline.vtd.GuestFirstLevel;
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
    void deliversTheFaultsFieldsWithoutTheRawRecordToTheDevicesHandler() {
        faultOnce(VA + 0x10);
        // a first-level not-present fault with PASID 5: F, T1 = read, FR 0x71, PP, SID 0x300; the record stays in
        // the backend
        assertThat(rig.pipeline.faults).containsExactly(new UnrecoverableFault(NIC,
                UnrecoverableFault.ADDR_VALID | UnrecoverableFault.PASID_VALID, PASID, Permissions.READ, VA, 0,
                HardwareRecord.NONE));
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
        assertThat(fault.address()).isEqualTo(0x10_0000L);
        assertThat(fault.record()).isEqualTo(HardwareRecord.NONE);
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
        rig.clock.addAndGet(5_000_000_001L); // past the window's end (the end itself is still limited, as Linux)
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

    private static final PciRequesterId GUEST_VF = new PciRequesterId(0, 3, 1, 0);

    /** {@link #GUEST_VF} given to guest vm1 with a first-level-only entry on an empty table of its own. */
    private DmaDevice guestVf() {
        FirstLevelPageTable guestTable = new FirstLevelPageTable(rig.os, FirstLevelPageTable.PAGE_4K);
        rig.driver.attach(GUEST_VF, Pasid.NONE, Domain.nested("vm1-vf", "vm1"), guestTable.root());
        return DmaDevice.of("vf", GUEST_VF.rid(), rig.unit, rig.memory);
    }

    @Test
    void attachNestedWritesANestedPasidEntryAndRefusesHostDomainsAndUnalignedTables() {
        SecondLevelPageTable stage2 = new SecondLevelPageTable(rig.os);
        rig.driver.attachNested(GUEST_VF, 9, Domain.nested("vm1-vf", "vm1"), 0x3000, stage2.root());
        PasidEntry entry = rig.driver.pasidEntry(GUEST_VF, 9);
        assertThat(entry.translationType()).isEqualTo(PasidTranslationType.NESTED);
        assertThat(entry.firstLevelTable()).isEqualTo(0x3000);
        assertThat(entry.secondLevelTable()).isEqualTo(stage2.root());
        assertThat(entry.secondLevelWidth()).isEqualTo(PasidEntry.SECOND_LEVEL_4_LEVEL);
        assertThatThrownBy(() -> rig.driver.attachNested(GUEST_VF, 9, Domain.dma("host"), 0x3000, stage2.root()))
                .hasMessageContaining("not a guest's nested domain");
        assertThatThrownBy(() -> rig.driver.attachNested(GUEST_VF, 9, Domain.nested("vm1-vf", "vm1"), 0x3008,
                stage2.root())).hasMessageContaining("4 KiB aligned");
    }

    @Test
    void aNestedEntryCarriesTheGuestsSupervisorControlsSoItsSupervisorRequestsTranslateAsItAsked() {
        PciRequesterId vf = new PciRequesterId(0, 3, 1, 0);
        long ramHpa = rig.pages.allocate(4L << 20, 2L << 20);
        SecondLevelPageTable stage2 = new SecondLevelPageTable(rig.os);
        stage2.map(0, ramHpa, 4L << 20, true, true);                 // guest RAM: GPA [0, 4 MiB)
        long guestRoot = 0x1000;                                      // the guest's PML4 at GPA 0x1000, empty
        Domain domain = Domain.nested("vm1-vf", "vm1");
        DmaDevice guest = DmaDevice.of("vf", vf.rid(), rig.unit, rig.memory);
        DmaAccess supervisorRead = DmaAccess.of(vf.rid(), 0x5000, AccessType.READ, 8).withPasid(9).withPrivileged(true);

        rig.driver.attachNested(vf, 9, domain, GuestFirstLevel.userOnly(guestRoot), stage2.root());
        guest.perform(supervisorRead, null, WAIT);                    // SRE clear: 0x5D before any walk
        await("the SRE fault", () -> rig.pipeline.faults.size() == 1);

        rig.driver.attachNested(vf, 9, domain, new GuestFirstLevel(guestRoot, true, true), stage2.root());
        PasidEntry entry = rig.driver.pasidEntry(vf, 9);
        assertThat(entry.supervisorRequests()).as("SRE").isTrue();
        assertThat(entry.writeProtect()).as("WPE").isTrue();
        assertThat(entry.firstLevelTable()).isEqualTo(guestRoot);
        guest.perform(supervisorRead, null, WAIT);                    // SRE set: the guest's own (empty) first level
        await("the first-level fault", () -> rig.pipeline.faults.size() == 2);

        assertThat(rig.pipeline.faults).extracting(f -> FaultRecord.decode(f.record().word(0), f.record().word(1))
                .reasonCode()).containsExactly(0x5D, 0x71);
        assertThat(rig.lines).as("both are the guest's faults: never printed on the host").isEmpty();
    }

    @Test
    void neverPrintsAGuestsFirstLevelFaultsAndReportsThemWithTheRawRecord() {
        DmaDevice guestDevice = guestVf();
        rig.pipeline.unrecoverable = fault -> ReportOutcome.NO_HANDLER;
        guestDevice.read(Pasid.NONE, 0x1000, 8, WAIT);
        await("the fault", () -> rig.driver.counters().faultsGuestSilenced() == 1);
        assertThat(rig.pipeline.faults).singleElement().satisfies(f -> {
            assertThat(f.device()).isEqualTo(GUEST_VF);
            assertThat(FaultRecord.decode(f.record().word(0), f.record().word(1)).reasonCode()).isEqualTo(0x71);
        });
        assertThat(rig.lines).isEmpty();
    }

    @Test
    void aPasidTableFaultOfAGuestsDeviceIsTheHostsPrintedAndNeverReportedIntoTheGuest() {
        DmaDevice guestDevice = guestVf();
        guestDevice.read(7, 0x1000, 8, WAIT);      // PASID 7 has no entry: 0x59, a table fault, not the first level
        await("the line", () -> rig.lines.size() == 1);
        assertThat(rig.lines).containsExactly("DMAR: [DMA Read PASID 0x7] Request device [03:01.0] fault addr 0x1000"
                + " [fault reason 0x59] SM: Present bit in PASID Table Entry is clear");
        assertThat(rig.pipeline.faults).isEmpty();
        assertThat(rig.driver.counters().faultsHostOwnedOfGuests()).isEqualTo(1);
    }

    @Test
    void nestedFaultsGoWhereTheirLevelSaysAndEachGuestHasItsOwnPrintLimit() {
        PciRequesterId vf1 = new PciRequesterId(0, 3, 1, 0);
        PciRequesterId vf2 = new PciRequesterId(0, 3, 2, 0);
        long ramHpa = rig.pages.allocate(4L << 20, 2L << 20);
        SecondLevelPageTable stage2 = new SecondLevelPageTable(rig.os);
        stage2.map(0, ramHpa, 4L << 20, true, true);                 // guest RAM: GPA [0, 4 MiB)
        long guestRoot = 0x1000;                                      // the guest's PML4 at GPA 0x1000, empty
        rig.driver.attachNested(vf1, Pasid.NONE, Domain.nested("vm1-vf", "vm1"), guestRoot, stage2.root());
        rig.driver.attachNested(vf2, Pasid.NONE, Domain.nested("vm2-vf", "vm2"), 8L << 20, stage2.root());
        DmaDevice guest1 = DmaDevice.of("vf1", vf1.rid(), rig.unit, rig.memory);
        DmaDevice guest2 = DmaDevice.of("vf2", vf2.rid(), rig.unit, rig.memory);

        guest1.read(Pasid.NONE, 0x5000, 8, WAIT);                   // first level: PML4E not present, 0x71
        await("the guest's fault", () -> rig.pipeline.faults.size() == 1);
        assertThat(FaultRecord.decode(rig.pipeline.faults.get(0).record().word(0),
                rig.pipeline.faults.get(0).record().word(1)).reasonCode()).isEqualTo(0x71);

        for (int i = 0; i < 12; i++) {                                // vm2's FLPTR is past its RAM: 0x75, host's
            long before = rig.driver.counters().faultsHostOwnedOfGuests();
            guest2.read(Pasid.NONE, 0x5000, 8, WAIT);
            await("the host-owned fault", () -> rig.driver.counters().faultsHostOwnedOfGuests() == before + 1);
        }
        assertThat(rig.lines).hasSize(10).allMatch(line -> line.contains("[fault reason 0x75] SM: Read permission"
                + " error in FL-PML4 entry in Nested translation"));
        assertThat(rig.pipeline.faults).hasSize(1);
        assertThat(rig.driver.counters().faultsPrintSuppressed()).isEqualTo(2);

        stage2.leafEntryAddress(0).ifPresent(at -> rig.memory.write64(at, 0));   // vm1's RAM page 0 unmapped
        guest1.read(Pasid.NONE, 0x5000, 8, WAIT);                   // its FLPTR at GPA 0x1000: 0x75 under vm1's limit
        await("vm1's line", () -> rig.lines.size() == 11);
        rig.pipeline.unrecoverable = fault -> ReportOutcome.NO_HANDLER;
        faultOnce(VA);                                                // a host device: the unit's own limit
        assertThat(rig.lines.get(10)).contains("Request device [03:01.0]").contains("fault reason 0x75");
        assertThat(rig.lines.get(11)).contains("Request device [03:00.0]").contains("fault reason 0x71");
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
        // the episode goes to the core once the pass over the registers returns: wait for it, not a proxy
        await("the overflow reported to the core", () -> !rig.pipeline.port.overflows.isEmpty());
        assertThat(rig.driver.counters().faultRecordOverflows()).isEqualTo(1);
        assertThat(rig.pipeline.port.overflows).as("reported to the core").containsExactly(FaultQueue.FAULT_RECORDS);
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
