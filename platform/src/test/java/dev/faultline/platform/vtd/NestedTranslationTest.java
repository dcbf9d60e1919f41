package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.x86.SecondLevelEntry;
import dev.faultline.platform.x86.SecondLevelPageTable;
import org.junit.jupiter.api.Test;

/**
 * Nested translation (PGTT 3): a guest's first-level tables in guest-physical memory, over the host's second
 * level mapping guest RAM; each level's failure records its own reason, and {@link FaultReason#firstLevel}
 * tells the guest's from the host's.
 */
class NestedTranslationTest {
    private static final int RID = 0x0300;
    private static final int PASID = 7;
    /** Guest RAM: GPA [0, 16 MiB) is host physical [RAM_HPA, +16 MiB). */
    private static final long RAM_HPA = 0x4000_0000L;
    private static final long RAM = 16L << 20;
    private static final long VA = 0x7f00_0040_1000L;
    private static final long DATA_GPA = 0x80_0000L;

    private final UnitFixture fixture = new UnitFixture(8);
    private final SecondLevelPageTable secondLevel = new SecondLevelPageTable(fixture.allocator);
    private long nextTableGpa = 0x10_0000L;
    private final long flRoot = tableGpa();
    private final long entryAt = fixture.pasidEntry(RID, PASID);

    NestedTranslationTest() {
        secondLevel.map(0, RAM_HPA, RAM, true, true);
        fixture.writePasidEntry(entryAt, PasidEntry.nested(flRoot, secondLevel.root(), 1, false));
    }

    private long tableGpa() {
        long t = nextTableGpa;
        nextTableGpa += 0x1000;
        return t;
    }

    /** Writes a guest-physical qword (through the guest RAM mapping). */
    private void writeGuest(long gpa, long value) {
        fixture.memory.write64(RAM_HPA + gpa, value);
    }

    /** Links guest tables from the root down to the PT for {@code va} and returns the GPA of its PTE. */
    private long chain(long va) {
        long table = flRoot;
        for (int shift = 39; shift > 12; shift -= 9) {
            long next = tableGpa();
            writeGuest(table + ((va >>> shift) & 0x1ff) * 8, next | 0x7);     // P, R/W, U/S
            table = next;
        }
        return table + ((va >>> 12) & 0x1ff) * 8;
    }

    private DmaTransaction issue(AccessType type, long address) throws InterruptedException {
        DmaTransaction tx = fixture.unit.issue(new DmaAccess(RID, PASID, address, type, false, 8, false));
        tx.await(5, java.util.concurrent.TimeUnit.SECONDS);
        return tx;
    }

    private int reason() {
        FaultRecord record = fixture.faultRecord(0);
        assertThat(record.valid()).as("a fault was recorded").isTrue();
        return record.reasonCode();
    }

    @Test
    void translatesThroughTheGuestsFirstLevelAndTheHostsSecondLevel() throws InterruptedException {
        writeGuest(chain(VA), DATA_GPA | 0x7);
        DmaTransaction tx = issue(AccessType.WRITE, VA + 0x28);
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(tx.physicalAddress()).isEqualTo(RAM_HPA + DATA_GPA + 0x28);
        assertThat(fixture.faultRecord(0).valid()).isFalse();
    }

    @Test
    void aFirstLevelFaultRecordsTheFirstLevelReasonTheGuestOwns() throws InterruptedException {
        chain(VA);                                                           // PTE left not present
        assertThat(issue(AccessType.READ, VA).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(reason()).isEqualTo(FaultReason.SM_FL_NOT_PRESENT);
        assertThat(FaultReason.firstLevel(reason())).isTrue();
    }

    @Test
    void aFirstLevelTableTheSecondLevelDoesNotMapIsAReadPermissionErrorOfTheHost() throws InterruptedException {
        fixture.writePasidEntry(entryAt, PasidEntry.nested(RAM, secondLevel.root(), 1, false));  // FLPTR past RAM
        issue(AccessType.READ, VA);
        assertThat(reason()).isEqualTo(FaultReason.SM_NESTED_FL_PML4_READ);
        assertThat(FaultReason.firstLevel(reason())).isFalse();

        fixture.clearFaultRecord(0);
        fixture.writePasidEntry(entryAt, PasidEntry.nested(flRoot, secondLevel.root(), 1, false));
        writeGuest(flRoot + ((VA >>> 39) & 0x1ff) * 8, (RAM + 0x5000) | 0x7);                 // PDPT past RAM
        issue(AccessType.READ, VA);
        assertThat(fixture.faultRecord(1).reasonCode()).isEqualTo(FaultReason.SM_NESTED_FL_READ);
    }

    @Test
    void anOutputTheSecondLevelDeniesIsASecondLevelPermissionError() throws InterruptedException {
        writeGuest(chain(VA), (RAM + 0x20_0000L) | 0x7);                     // guest maps past its RAM
        issue(AccessType.READ, VA);
        assertThat(reason()).isEqualTo(FaultReason.SM_SL_PERMISSION);

        fixture.clearFaultRecord(0);
        long readOnlyGpa = RAM + 0x40_0000L;
        secondLevel.map(readOnlyGpa, RAM_HPA + RAM, 0x1000, true, false);
        writeGuest(chain(VA + 0x4000_0000L), readOnlyGpa | 0x7);
        assertThat(issue(AccessType.READ, VA + 0x4000_0000L).outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        issue(AccessType.WRITE, VA + 0x4000_0000L);
        assertThat(fixture.faultRecord(1).reasonCode()).isEqualTo(FaultReason.SM_SL_PERMISSION);
        assertThat(FaultReason.firstLevel(FaultReason.SM_SL_PERMISSION)).isFalse();
    }

    @Test
    void anAccessedFlagUpdateInAFirstLevelTableTheSecondLevelMapsReadOnlyIsANestedWriteError()
            throws InterruptedException {
        long readOnlyTable = RAM + 0x60_0000L;
        secondLevel.map(readOnlyTable, RAM_HPA + RAM + 0x1000, 0x1000, true, false);
        writeGuest(flRoot + ((VA >>> 39) & 0x1ff) * 8, readOnlyTable | 0x7);
        fixture.memory.write64(RAM_HPA + RAM + 0x1000 + ((VA >>> 30) & 0x1ff) * 8, tableGpa() | 0x7);  // A clear
        issue(AccessType.READ, VA);
        assertThat(reason()).isEqualTo(FaultReason.SM_NESTED_FL_WRITE);
    }

    @Test
    void secondLevelTableFaultsRecordTheirOwnReasons() throws InterruptedException {
        fixture.writePasidEntry(entryAt, PasidEntry.nested(flRoot, UnitFixture.MEMORY_TOP, 1, false));
        issue(AccessType.READ, VA);
        assertThat(reason()).as("SLPTPTR beyond memory").isEqualTo(FaultReason.SM_SL_INVALID_POINTER);

        SecondLevelPageTable broken = new SecondLevelPageTable(fixture.allocator);
        fixture.memory.write64(broken.root(), UnitFixture.MEMORY_TOP | SecondLevelEntry.READ);
        fixture.writePasidEntry(entryAt, PasidEntry.nested(flRoot, broken.root(), 1, false));
        issue(AccessType.READ, VA);
        assertThat(fixture.faultRecord(1).reasonCode()).as("SL table beyond memory")
                .isEqualTo(FaultReason.SM_SL_ENTRY_ACCESS);

        fixture.memory.write64(broken.root(), RAM_HPA | SecondLevelEntry.READ | SecondLevelEntry.PAGE_SIZE);
        issue(AccessType.READ, VA);
        assertThat(fixture.faultRecord(2).reasonCode()).as("PS in an SL-PML4E").isEqualTo(FaultReason.SM_SL_RESERVED);

        fixture.writePasidEntry(entryAt, PasidEntry.nested(1L << 48, secondLevel.root(), 1, false));
        issue(AccessType.READ, VA);
        assertThat(fixture.faultRecord(3).reasonCode()).as("FLPTR beyond the second level's width")
                .isEqualTo(FaultReason.SM_NESTED_FL_BEYOND_MGAW);
        for (int code : new int[] {0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x84, 0x59, 0x41}) {
            assertThat(FaultReason.firstLevel(code)).as("0x%x is the host's", code).isFalse();
        }
        for (int code : new int[] {0x5c, 0x5d, 0x70, 0x71, 0x72, 0x73, 0x80, 0x81, 0x82, 0x85, 0x87}) {
            assertThat(FaultReason.firstLevel(code)).as("0x%x is the first level's", code).isTrue();
        }
    }

    @Test
    void aNestedEntryWithAnotherSecondLevelWidthIsInvalid() throws InterruptedException {
        PasidEntry entry = PasidEntry.nested(flRoot, secondLevel.root(), 1, false);
        fixture.writePasidEntry(entryAt, entry.withWord(0, entry.word(0) & ~(7L << 2) | (3L << 2)));
        issue(AccessType.READ, VA);
        assertThat(reason()).isEqualTo(FaultReason.SM_PASID_ENTRY_INVALID);
    }
}
