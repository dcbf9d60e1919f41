package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.platform.x86.PagingEntry;
import dev.faultline.platform.x86.PagingLevel;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RemappingUnitTest {
    private static final int RID = 0x0300;
    private static final int PASID = 0x2345; // needs PDTS >= 1
    private static final long VA = 0x7f00_0040_1000L;
    private static final long PA = 0x2_0000_0000L;

    private final UnitFixture fixture = new UnitFixture(8);
    private final RemappingUnit unit = fixture.unit;

    private DmaAccess read(int pasid, long address) {
        return new DmaAccess(RID, pasid, address, AccessType.READ, false, 8, false);
    }

    @Test
    void reportsItsCapabilitiesInBothAccessWidths() {
        long cap = unit.read64(RegisterMap.CAP);
        assertThat(new Capability(cap).faultRecordingOffset()).isEqualTo(0x220);
        assertThat(unit.read32(RegisterMap.CAP + 4)).isEqualTo((int) (cap >>> 32));
        assertThat(new ExtendedCapability(unit.read64(RegisterMap.ECAP)).has(ExtendedCapability.SCALABLE_MODE)).isTrue();
        assertThat(unit.read32(RegisterMap.VER)).isEqualTo(0x30);
        unit.write64(RegisterMap.CAP, 0);
        assertThat(unit.read64(RegisterMap.CAP)).isEqualTo(cap);
    }

    @Test
    void latchesTheRootTableOnlyOnSetRootTablePointer() {
        assertThat(unit.read32(RegisterMap.GSTS)).isEqualTo(RegisterMap.GCMD_TE | RegisterMap.GCMD_SRTP
                | RegisterMap.GCMD_QIE);
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        table.map(VA, PA, 0x1000, PageProtection.READ_WRITE);
        unit.write64(RegisterMap.RTADDR, fixture.allocator.allocatePage() | RegisterMap.RTADDR_SMT);
        assertThat(unit.issue(read(PASID, VA)).outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_TE | RegisterMap.GCMD_QIE | RegisterMap.GCMD_SRTP);
        assertThat(unit.issue(read(PASID, VA)).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(fixture.faultRecord(0).reasonCode()).isEqualTo(FaultReason.SM_ROOT_ENTRY_NOT_PRESENT);
    }

    @Test
    void passesAccessesThroughWhileTranslationIsDisabled() {
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_QIE);
        DmaTransaction tx = unit.issue(read(Pasid.NONE, 0x1234_5678L));
        assertThat(tx.physicalAddress()).isEqualTo(0x1234_5678L);
        assertThat(unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_TE).isZero();
    }

    @Test
    void translatesThroughTheFirstLevelTableOfThePasid() {
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        table.map(VA, PA, 0x1000, PageProtection.READ_WRITE);
        DmaTransaction tx = unit.issue(new DmaAccess(RID, PASID, VA + 0x18, AccessType.WRITE, false, 8, false));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(tx.physicalAddress()).isEqualTo(PA + 0x18);
        PagingEntry leaf = new PagingEntry(fixture.memory.read64(table.entryAddress(VA, PagingLevel.PT).orElseThrow()));
        assertThat(leaf.dirty()).isTrue();
        assertThat(fixture.faultStatus().primaryPendingFault()).isFalse();
    }

    @Test
    void translatesPasidlessRequestsThroughRidPasid() {
        FirstLevelPageTable table = fixture.attach(RID, Pasid.NONE);
        table.map(VA, PA, 0x1000, PageProtection.READ_ONLY);
        assertThat(unit.issue(read(Pasid.NONE, VA)).physicalAddress()).isEqualTo(PA);
        DmaTransaction write = unit.issue(new DmaAccess(RID, Pasid.NONE, VA, AccessType.WRITE, false, 4, false));
        assertThat(write.outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(fixture.faultRecord(0)).isEqualTo(FaultRecord.of(RID, -1, VA, false, false, false, 0x85));
    }

    @Test
    void passesThroughForPassThroughPasidEntries() {
        fixture.writePasidEntry(fixture.pasidEntry(RID, PASID), PasidEntry.passThrough(1));
        assertThat(unit.issue(read(PASID, 0x5000)).physicalAddress()).isEqualTo(0x5000);
    }

    static Stream<Arguments> tableFaults() {
        return Stream.of(
                fault("root entry not present", FaultReason.SM_ROOT_ENTRY_NOT_PRESENT,
                        f -> f.memory.write64(f.rootTable + RootEntry.offset(RID >>> 8), 0)),
                fault("root entry reserved bits", FaultReason.SM_ROOT_ENTRY_RESERVED,
                        f -> f.memory.write64(f.rootTable + 0x30, f.memory.read64(f.rootTable + 0x30) | 0x10)),
                fault("context table beyond memory", FaultReason.SM_CONTEXT_ENTRY_ACCESS,
                        f -> f.memory.write64(f.rootTable + 0x30, UnitFixture.MEMORY_TOP | 1)),
                fault("context not present", FaultReason.SM_CONTEXT_ENTRY_NOT_PRESENT,
                        f -> f.memory.write64(f.contextEntry(RID), 0)),
                fault("context reserved bits", FaultReason.SM_CONTEXT_ENTRY_RESERVED,
                        f -> f.memory.write64(f.contextEntry(RID) + 24, 1)),
                fault("PASIDE clear", FaultReason.SM_CONTEXT_PASIDE_CLEAR,
                        f -> f.memory.write64(f.contextEntry(RID), f.memory.read64(f.contextEntry(RID)) & ~8L)),
                fault("PASID beyond PDTS", FaultReason.SM_PASID_TOO_LARGE,
                        f -> f.memory.write64(f.contextEntry(RID), f.memory.read64(f.contextEntry(RID)) & ~0xe00L)),
                fault("PASID directory beyond memory", FaultReason.SM_PASID_DIR_ACCESS,
                        f -> f.memory.write64(f.contextEntry(RID), UnitFixture.MEMORY_TOP | 0x819)),
                fault("PASID directory entry not present", FaultReason.SM_PASID_DIR_NOT_PRESENT,
                        f -> f.memory.write64(directoryEntry(f), 0)),
                fault("PASID directory entry reserved", FaultReason.SM_PASID_DIR_RESERVED,
                        f -> f.memory.write64(directoryEntry(f), f.memory.read64(directoryEntry(f)) | 0x4)),
                fault("PASID table beyond memory", FaultReason.SM_PASID_ENTRY_ACCESS,
                        f -> f.memory.write64(directoryEntry(f), UnitFixture.MEMORY_TOP | 1)),
                fault("PASID entry not present", FaultReason.SM_PASID_ENTRY_NOT_PRESENT,
                        f -> f.memory.write64(f.pasidEntry(RID, PASID), 0)),
                fault("PASID entry reserved qword", FaultReason.SM_PASID_ENTRY_RESERVED,
                        f -> f.memory.write64(f.pasidEntry(RID, PASID) + 40, 1)),
                fault("PASID entry 5-level paging", FaultReason.SM_PASID_ENTRY_RESERVED,
                        f -> f.memory.write64(f.pasidEntry(RID, PASID) + 16,
                                f.memory.read64(f.pasidEntry(RID, PASID) + 16) | 4)),
                fault("PASID entry nested (not modelled)", FaultReason.SM_PASID_ENTRY_INVALID,
                        f -> f.memory.write64(f.pasidEntry(RID, PASID), 1 | 3 << 6)),
                fault("PASID entry PGTT 0", FaultReason.SM_PASID_ENTRY_INVALID,
                        f -> f.memory.write64(f.pasidEntry(RID, PASID), 1)),
                fault("legacy root table", FaultReason.SM_TTM0_REQUEST_WITH_PASID,
                        f -> {
                            f.unit.write64(RegisterMap.RTADDR, f.rootTable);
                            f.unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_TE | RegisterMap.GCMD_QIE
                                    | RegisterMap.GCMD_SRTP);
                        }));
    }

    private static Arguments fault(String name, int reason, Consumer<UnitFixture> corrupt) {
        return Arguments.of(name, reason, corrupt);
    }

    private static long directoryEntry(UnitFixture f) {
        return (f.memory.read64(f.contextEntry(RID)) & ~0xfffL) + PasidDirectoryEntry.offset(PASID);
    }

    @ParameterizedTest(name = "{0} -> 0x{1}")
    @MethodSource("tableFaults")
    void recordsTheReasonOfEachTableFault(String name, int reason, Consumer<UnitFixture> corrupt) {
        fixture.attach(RID, PASID).map(VA, PA, 0x1000, PageProtection.READ_WRITE);
        corrupt.accept(fixture);
        assertThat(unit.issue(read(PASID, VA)).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(fixture.faultRecord(0)).isEqualTo(FaultRecord.of(RID, PASID, VA, true, false, false, reason));
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.FAULT_EVENT);
    }

    @Test
    void recordsTheLegacyModeFaultOfPasidlessRequests() {
        unit.write64(RegisterMap.RTADDR, fixture.rootTable);
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_TE | RegisterMap.GCMD_QIE | RegisterMap.GCMD_SRTP);
        unit.issue(read(Pasid.NONE, VA));
        assertThat(fixture.faultRecord(0).reasonCode()).isEqualTo(FaultReason.SM_INVALID_ROOT_TABLE_ADDRESS);
    }

    @Test
    void checksExecuteAndSupervisorPermissionsOfThePasidEntry() {
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        table.map(VA, PA, 0x1000, PageProtection.READ_WRITE_EXECUTE);
        unit.issue(new DmaAccess(RID, PASID, VA, AccessType.INSTRUCTION_FETCH, false, 4, false));
        assertThat(fixture.faultRecord(0)).isEqualTo(FaultRecord.of(RID, PASID, VA, true, false, true, 0x5c));
        unit.issue(new DmaAccess(RID, PASID, VA, AccessType.READ, true, 4, false));
        assertThat(fixture.faultRecord(1)).isEqualTo(FaultRecord.of(RID, PASID, VA, true, true, false, 0x5d));
        fixture.writePasidEntry(fixture.pasidEntry(RID, PASID), PasidEntry.firstLevel(table.root(), 1, true));
        assertThat(unit.issue(new DmaAccess(RID, PASID, VA, AccessType.READ, true, 4, false)).outcome())
                .isEqualTo(TranslationOutcome.TRANSLATED);
    }

    @Test
    void readsSreAsReservedWithoutSupervisorRequestSupport() {
        // dmar-fault-01 in the real logs: SRE set on hardware without ECAP.SRS faults 0x5a.
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        table.map(VA, PA, 0x1000, PageProtection.READ_WRITE);
        fixture.writePasidEntry(fixture.pasidEntry(RID, PASID), PasidEntry.firstLevel(table.root(), 1, true));
        UnitConfiguration noSrs = new UnitConfiguration("dmar1", 0, unit.configuration().capability(),
                ExtendedCapability.of(UnitConfiguration.STANDARD_FEATURES & ~ExtendedCapability.SUPERVISOR_REQUESTS,
                        20), 46, UnitFixture.MEMORY_TOP);
        RemappingUnit bare = new RemappingUnit(noSrs, fixture.memory);
        bare.write64(RegisterMap.RTADDR, fixture.rootTable | RegisterMap.RTADDR_SMT);
        bare.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP | RegisterMap.GCMD_TE);
        assertThat(bare.issue(read(PASID, VA)).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        int offset = noSrs.capability().faultRecordOffset(0);
        assertThat(FaultRecord.decode(bare.read64(offset), bare.read64(offset + 8)).reasonCode())
                .isEqualTo(FaultReason.SM_PASID_ENTRY_RESERVED);
        assertThat(unit.issue(read(PASID, VA)).outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
    }

    static Stream<Arguments> walkFaults() {
        return Stream.of(
                Arguments.of("not present", AccessType.READ, VA + 0x1000, 0x71),
                Arguments.of("write to read-only", AccessType.WRITE, VA + 0x2000, 0x85),
                Arguments.of("user access to supervisor page", AccessType.READ, VA + 0x3000, 0x81),
                Arguments.of("execute of XD page", AccessType.INSTRUCTION_FETCH, VA + 0x2000, 0x82),
                Arguments.of("non-canonical", AccessType.READ, 0x0000_8000_0000_0000L, 0x80),
                Arguments.of("interrupt range", AccessType.WRITE, VA + 0x4000, 0x87),
                Arguments.of("reserved bit", AccessType.READ, VA + 0x5000, 0x72),
                Arguments.of("table beyond memory", AccessType.READ, VA + 0x20_0000, 0x70));
    }

    @ParameterizedTest(name = "{0} -> 0x{3}")
    @MethodSource("walkFaults")
    void recordsTheReasonOfEachFirstLevelFault(String name, AccessType type, long address, int reason) {
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        fixture.writePasidEntry(fixture.pasidEntry(RID, PASID), PasidEntry.firstLevel(table.root(), 1, false)
                .withWord(2, table.root() | 2)); // ERE, so execute reaches the walk
        table.map(VA, PA, 0x1000, PageProtection.READ_WRITE_EXECUTE);
        table.map(VA + 0x2000, PA + 0x2000, 0x1000, PageProtection.READ_ONLY);
        table.map(VA + 0x3000, PA + 0x3000, 0x1000, PageProtection.SUPERVISOR_READ_WRITE);
        table.map(VA + 0x4000, 0xfee0_0000L, 0x1000, PageProtection.READ_WRITE);
        table.map(VA + 0x5000, PA + 0x5000, 0x1000, PageProtection.READ_WRITE);
        long leaf = table.entryAddress(VA + 0x5000, PagingLevel.PT).orElseThrow();
        fixture.memory.write64(leaf, fixture.memory.read64(leaf) | 1L << 50);
        table.map(VA + 0x20_0000, PA, 0x1000, PageProtection.READ_WRITE);
        long pd = table.entryAddress(VA + 0x20_0000, PagingLevel.PD).orElseThrow();
        fixture.memory.write64(pd, UnitFixture.MEMORY_TOP | 7);
        UnitConfiguration withErs = new UnitConfiguration("dmar0", 0, unit.configuration().capability(),
                ExtendedCapability.of(UnitConfiguration.STANDARD_FEATURES | ExtendedCapability.EXECUTE_REQUESTS, 20),
                46, UnitFixture.MEMORY_TOP);
        RemappingUnit executing = new RemappingUnit(withErs, fixture.memory);
        executing.write64(RegisterMap.RTADDR, fixture.rootTable | RegisterMap.RTADDR_SMT);
        executing.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP | RegisterMap.GCMD_TE);

        DmaTransaction tx = executing.issue(new DmaAccess(RID, PASID, address, type, false, 4, false));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.ABORTED);
        int offset = withErs.capability().faultRecordOffset(0);
        assertThat(FaultRecord.decode(executing.read64(offset), executing.read64(offset + 8))).isEqualTo(
                FaultRecord.of(RID, PASID, address, type.isRead(), false, type.isInstruction(), reason));
    }

    @Test
    void recordsPml4FetchErrorsAsTheirOwnReason() {
        fixture.writePasidEntry(fixture.pasidEntry(RID, PASID), PasidEntry.firstLevel(UnitFixture.MEMORY_TOP, 1, false));
        unit.issue(read(PASID, VA));
        assertThat(fixture.faultRecord(0).reasonCode()).isEqualTo(FaultReason.SM_FL_PML4_ACCESS);
    }

    @Test
    void answersMissedTranslationRequestsWithoutRecordingAFault() {
        fixture.attach(RID, PASID);
        DmaTransaction tx = unit.issue(read(PASID, VA).withTranslationRequest(true));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.NO_TRANSLATION);
        assertThat(fixture.faultStatus().primaryPendingFault()).isFalse();
        assertThat(unit.counters().faultsRecorded()).isZero();
    }

    @Test
    void faultsTranslationRequestsOfDevicesWithoutDeviceTlb() {
        fixture.attach(RID, PASID);
        long context = fixture.contextEntry(RID);
        fixture.memory.write64(context, fixture.memory.read64(context) & ~4L);
        assertThat(unit.issue(read(PASID, VA).withTranslationRequest(true)).outcome())
                .isEqualTo(TranslationOutcome.ABORTED);
        assertThat(fixture.faultRecord(0).reasonCode()).isEqualTo(FaultReason.SM_CONTEXT_DTE_CLEAR);
    }

    @Test
    void suppressesRecordingWhenFaultProcessingIsDisabled() {
        FirstLevelPageTable table = fixture.attach(RID, PASID);
        long entry = fixture.pasidEntry(RID, PASID);
        fixture.writePasidEntry(entry, PasidEntry.firstLevel(table.root(), 1, false).withFaultProcessingDisable(true));
        assertThat(unit.issue(read(PASID, VA)).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        long context = fixture.contextEntry(RID);
        fixture.writePasidEntry(entry, PasidEntry.firstLevel(table.root(), 1, false));
        fixture.memory.write64(context, fixture.memory.read64(context) | 2);
        unit.issue(read(PASID, VA));
        assertThat(unit.counters().faultsSuppressed()).isEqualTo(2);
        assertThat(unit.counters().faultsRecorded()).isZero();
        assertThat(fixture.interrupts).isEmpty();
    }

    @Test
    void fillsFaultRecordsInRingOrderAndPointsFriAtTheFirstPending() {
        fixture.attach(RID, PASID);
        for (int i = 0; i < 3; i++) {
            unit.issue(read(PASID, VA + i * 0x1000L));
        }
        FaultStatus status = fixture.faultStatus();
        assertThat(status.primaryPendingFault()).isTrue();
        assertThat(status.faultRecordIndex()).isZero();
        assertThat(fixture.faultRecord(2).address()).isEqualTo(VA + 0x2000);
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.FAULT_EVENT);
        for (int i = 0; i < 3; i++) {
            fixture.clearFaultRecord(i);
        }
        assertThat(fixture.faultStatus().primaryPendingFault()).isFalse();
        unit.issue(read(PASID, VA + 0x9000));
        assertThat(fixture.faultStatus().faultRecordIndex()).isEqualTo(3);
        assertThat(fixture.interrupts).hasSize(2);
    }

    @Test
    void setsPfoAndDropsTheFaultWhenTheNextRecordIsStillFull() {
        fixture.attach(RID, PASID);
        for (int i = 0; i < 9; i++) {
            unit.issue(read(PASID, VA + i * 0x1000L));
        }
        FaultStatus status = fixture.faultStatus();
        assertThat(status.primaryFaultOverflow()).isTrue();
        assertThat(unit.counters().faultsOverflowed()).isEqualTo(1);
        assertThat(fixture.faultRecord(0).address()).isEqualTo(VA);
        fixture.clearFaultRecord(0);
        unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_PFO | RegisterMap.FSTS_PPF);
        assertThat(fixture.faultStatus().primaryFaultOverflow()).isFalse();
        assertThat(fixture.faultStatus().primaryPendingFault()).isTrue(); // records 1..7 still hold faults
        unit.issue(read(PASID, VA + 0xa000));
        assertThat(fixture.faultRecord(0).address()).isEqualTo(VA + 0xa000);
    }

    @Test
    void compressesFurtherFaultsOfASourceWithAPendingRecordOnlyWhenAskedTo() {
        fixture.attach(RID, PASID);
        fixture.attach(RID + 1, PASID);
        unit.compressFaults(true);
        assertThat(unit.compressesFaults()).isTrue();
        for (int i = 0; i < 20; i++) {
            unit.issue(read(PASID, VA + i * 0x1000L));          // one source: collapsed into its first record
        }
        unit.issue(DmaAccess.of(RID + 1, VA, AccessType.READ, 4).withPasid(PASID)); // another source: its own
        assertThat(fixture.faultRecord(0).address()).isEqualTo(VA);
        assertThat(fixture.faultRecord(1).sourceId()).isEqualTo(RID + 1);
        assertThat(fixture.faultRecord(2).valid()).isFalse();
        assertThat(fixture.faultStatus().primaryFaultOverflow()).isFalse();
        assertThat(unit.counters().faultsRecorded()).isEqualTo(2);
        assertThat(unit.counters().faultsCompressed()).isEqualTo(19);
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.FAULT_EVENT);
        fixture.clearFaultRecord(0);                               // cleared: the source's next fault is recorded
        unit.issue(read(PASID, VA + 0x40000));
        assertThat(fixture.faultRecord(2).address()).isEqualTo(VA + 0x40000);

        unit.compressFaults(false);
        for (int i = 0; i < 8; i++) {
            unit.issue(read(PASID, VA + i * 0x1000L));
        }
        assertThat(fixture.faultStatus().primaryFaultOverflow()).isTrue();
        assertThat(unit.counters().faultsCompressed()).isEqualTo(19);
        assertThat(unit.counters().faultsRecorded()).isEqualTo(3 + 6);
        assertThat(unit.counters().faultsOverflowed()).isEqualTo(2);
    }

    @Test
    void clearsARecordThroughA64BitWriteOfItsHighQword() {
        fixture.attach(RID, PASID);
        unit.issue(read(PASID, VA));
        int offset = unit.configuration().capability().faultRecordOffset(0);
        unit.write64(offset, 0); // the low qword is read-only
        assertThat(fixture.faultRecord(0).address()).isEqualTo(VA);
        unit.write64(offset + 8, Long.MIN_VALUE);
        assertThat(fixture.faultRecord(0).valid()).isFalse();
    }

    @Test
    void latchesMaskedEventsAndDeliversThemOnUnmask() {
        unit.write32(RegisterMap.FECTL, RegisterMap.EVENT_IM);
        fixture.attach(RID, PASID);
        unit.issue(read(PASID, VA));
        assertThat(fixture.interrupts).isEmpty();
        assertThat(unit.read32(RegisterMap.FECTL)).isEqualTo(RegisterMap.EVENT_IM | RegisterMap.EVENT_IP);
        unit.write32(RegisterMap.FECTL, 0);
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.FAULT_EVENT);
        assertThat(unit.read32(RegisterMap.FECTL)).isZero();
    }

    @Test
    void keepsTheMsiRegistersAndIgnoresUnmodelledOffsets() {
        unit.write32(RegisterMap.FEDATA, 0x4041);
        assertThat(unit.read32(RegisterMap.FEDATA)).isEqualTo(0x4041);
        unit.write32(0x400, 7);
        assertThat(unit.read32(0x400)).isZero();
        assertThatThrownBy(() -> unit.read64(RegisterMap.FSTS)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> unit.write32(RegisterMap.SIZE, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
