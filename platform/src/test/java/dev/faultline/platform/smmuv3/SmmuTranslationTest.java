package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.Descriptor;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmmuTranslationTest {
    private final SmmuRig rig = new SmmuRig();

    private DmaTransaction read(int sid, int pasid, long address) {
        return rig.smmu.issue(new DmaAccess(sid, pasid, address, AccessType.READ, false, 8, false));
    }

    private EventRecord onlyEvent() {
        List<EventRecord> events = rig.drainEvents();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    @Test
    void disabledSmmuBypassesUnlessGbpaAborts() {
        SmmuRig off = new SmmuRig();
        off.smmu.write32(SmmuRegisters.CR0, 0);
        assertThat(off.smmu.issue(DmaAccess.of(1, 0x1234, AccessType.READ, 4)).physicalAddress()).isEqualTo(0x1234);
        off.smmu.write32(SmmuRegisters.GBPA, SmmuRegisters.GBPA_UPDATE | SmmuRegisters.GBPA_ABORT);
        assertThat(off.smmu.issue(DmaAccess.of(1, 0x1234, AccessType.READ, 4)).outcome())
                .isEqualTo(TranslationOutcome.ABORTED);
    }

    @Test
    void streamIdOutOfRangeIsRecordedOnlyWithRecInvSid() {
        assertThat(read(0x100, Pasid.NONE, 0).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(rig.drainEvents()).isEmpty();
        rig.smmu.write32(SmmuRegisters.CR2, SmmuRegisters.CR2_RECINVSID);
        read(0x100, Pasid.NONE, 0);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.C_BAD_STREAMID);
        assertThat(e.sid()).isEqualTo(0x100);
    }

    @Test
    void invalidOrReservedSteIsCBadSteAndConfigAbortIsSilent() {
        assertThat(read(3, Pasid.NONE, 0).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        EventRecord e = onlyEvent();
        assertThat(e.encode()).containsExactly(0x0000000300000004L, 0, 0, 0);
        rig.writeSte(3, StreamTableEntry.builder().config(true, 2).build());
        read(3, Pasid.NONE, 0);
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_STE);
        rig.writeSte(3, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_ABORT).build());
        assertThat(read(3, Pasid.NONE, 0).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(rig.drainEvents()).isEmpty();
    }

    @Test
    void bypassSteTranslatesOneToOne() {
        rig.writeSte(4, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_BYPASS).build());
        assertThat(read(4, Pasid.NONE, 0x8765_4320L).physicalAddress()).isEqualTo(0x8765_4320L);
        read(4, 7, 0x1000);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.C_BAD_SUBSTREAMID);
        assertThat(e.ssv()).isFalse();
        assertThat(e.ssid()).isEqualTo(7);
    }

    @Test
    void steFetchAbortIsFStefetchWithTheSteAddress() {
        rig.smmu.addExternalAbortRange(rig.strtab + 64 * 5, 64);
        read(5, Pasid.NONE, 0);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.F_STE_FETCH);
        assertThat(e.fetchAddress()).isEqualTo(rig.strtab + 64 * 5);
    }

    @Test
    void substreamChecksRaiseCBadSubstreamIdAndFStreamDisabled() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        rig.stage1Stream(6, t, false); // S1CDMax = 0: no substreams
        read(6, 1, 0x1000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_SUBSTREAMID);
        long cds = rig.frames.allocate(64 * 4, 256);
        rig.writeCd(cds, ContextDescriptor.linux(48, 5, 1, t.root(), false));
        rig.writeSte(6, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(cds, 0, 2)
                .stage1Controls(StreamTableEntry.S1DSS_TERMINATE, false, 0).build());
        read(6, 4, 0x1000); // 4 >= 2^S1CDMax
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_SUBSTREAMID);
        read(6, Pasid.NONE, 0x1000);
        EventRecord disabled = onlyEvent();
        assertThat(disabled.type()).isEqualTo(EventType.F_STREAM_DISABLED);
        assertThat(disabled.dw0()).isEqualTo(0x0000000600000006L);
    }

    @Test
    void invalidOrIllegalCdIsCBadCdAndCdFetchAbortIsFCdFetch() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        ContextDescriptor good = ContextDescriptor.linux(48, 5, 1, t.root(), false);
        long cd = rig.writeCd(good.withValid(false, false));
        rig.writeSte(7, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(cd, 0, 0)
                .build());
        read(7, Pasid.NONE, 0x1000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_CD);
        rig.writeCd(cd, ContextDescriptor.linux(60, 5, 1, t.root(), false)); // T0SZ 4: illegal
        read(7, Pasid.NONE, 0x1000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_CD);
        rig.smmu.addExternalAbortRange(cd, 64);
        read(7, Pasid.NONE, 0x1000);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.F_CD_FETCH);
        assertThat(e.fetchAddress()).isEqualTo(cd);
    }

    @Test
    void stage1FaultsAreInputClassStage1EventsWithTheTransactionAttributes() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        long cd = rig.writeCd(ContextDescriptor.linux(48, 2, 1, t.root(), false)); // IPS 40 bits
        rig.writeSte(8, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(cd, 0, 0)
                .build());
        t.map(0x2000, 0x9000_0000L, 0x1000, Protection.READ | Protection.CACHE);
        rig.smmu.issue(new DmaAccess(8, Pasid.NONE, 0x2010, AccessType.WRITE, true, 4, false));
        EventRecord perm = onlyEvent();
        assertThat(perm.type()).isEqualTo(EventType.F_PERMISSION);
        assertThat(perm.faultClass()).isEqualTo(EventRecord.CLASS_IN);
        assertThat(perm.s2()).isFalse();
        assertThat(perm.read()).isFalse();
        assertThat(perm.privileged()).isTrue();
        assertThat(perm.inputAddress()).isEqualTo(0x2010);
        assertThat(perm.ipa()).isZero();
        read(8, Pasid.NONE, 0x5000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.F_TRANSLATION);
        t.setAccessFlag(0x2000, false);
        read(8, Pasid.NONE, 0x2000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.F_ACCESS);
        t.writeRaw(0x3000, 3, Descriptor.leaf(dev.faultline.platform.arm.Stage.STAGE1, 3, 1L << 40,
                Protection.READ_WRITE));
        read(8, Pasid.NONE, 0x3000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.F_ADDR_SIZE);
        t.setAccessFlag(0x2000, true);
        rig.smmu.issue(new DmaAccess(8, Pasid.NONE, 0x2000, AccessType.INSTRUCTION_FETCH, false, 4, false));
        assertThat(rig.drainEvents()).isEmpty(); // read-only, executable: translated
    }

    @Test
    void walkExternalAbortIsFWalkEabtOfClassTt() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        rig.stage1Stream(9, t, true); // stall enabled: F_WALK_EABT still never stalls
        t.map(0x2000, 0x9000_0000L, 0x1000, Protection.READ_WRITE);
        long leaf = t.leafDescriptorAddress(0x2000).orElseThrow();
        rig.smmu.addExternalAbortRange(leaf, 8);
        assertThat(read(9, Pasid.NONE, 0x2000).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        EventRecord e = onlyEvent();
        assertThat(e.id()).isEqualTo(0x0B);
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_TT);
        assertThat(e.stall()).isFalse();
        assertThat(e.fetchAddress()).isEqualTo(leaf);
    }

    @Test
    void cdControlsDecideRecordingAndRazWi() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        ContextDescriptor cd = rig.stage1Stream(10, t, false);
        long at = rig.writeCd(cd.withFaultControls(false, false, false)); // R = 0, A = 0
        rig.writeSte(10, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(at, 0, 0)
                .build());
        assertThat(read(10, Pasid.NONE, 0x7000).outcome()).isEqualTo(TranslationOutcome.RAZ_WI);
        assertThat(rig.drainEvents()).isEmpty();
    }

    @Test
    void substreamsSelectTheirCdInLinearAndTwoLevelTables() {
        TranslationTable a = TranslationTable.stage1(rig.frames, 48);
        TranslationTable b = TranslationTable.stage1(rig.frames, 48);
        a.map(0x1000, 0xa000_0000L, 0x1000, Protection.READ_WRITE);
        b.map(0x1000, 0xb000_0000L, 0x1000, Protection.READ_WRITE);
        long leaf = rig.frames.allocate(64 * 1024, 4096);
        long l1 = rig.frames.allocate(8 * 16, 64);
        rig.memory.write64(l1 + 8, ContextDescriptor.l1Descriptor(leaf)); // SSIDs 1024..2047
        rig.writeCd(leaf + 64 * 5, ContextDescriptor.linux(48, 5, 2, b.root(), false));
        rig.writeSte(11, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(l1, 2, 14)
                .stage1Controls(StreamTableEntry.S1DSS_SSID0, false, 0).build());
        assertThat(read(11, 1024 + 5, 0x1008).physicalAddress()).isEqualTo(0xb000_0008L);
        read(11, 5, 0x1008); // L1 entry 0 invalid
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_SUBSTREAMID);
        long linear = rig.frames.allocate(64 * 8, 512);
        rig.writeCd(linear, ContextDescriptor.linux(48, 5, 1, a.root(), false));
        rig.writeCd(linear + 64 * 3, ContextDescriptor.linux(48, 5, 3, b.root(), false));
        rig.writeSte(12, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS)
                .contextTable(linear, 0, 3).stage1Controls(StreamTableEntry.S1DSS_SSID0, false, 0).build());
        assertThat(read(12, 3, 0x1000).physicalAddress()).isEqualTo(0xb000_0000L);
        assertThat(read(12, Pasid.NONE, 0x1000).physicalAddress()).isEqualTo(0xa000_0000L); // S1DSS = SSID0
        read(12, 0, 0x1000);
        assertThat(onlyEvent().type()).isEqualTo(EventType.F_STREAM_DISABLED);
    }

    @Test
    void twoLevelStreamTableFindsSteAndRejectsBadSpans() {
        long l1 = rig.frames.allocate(8 * 4, 64);
        long l2 = rig.frames.allocate(64 * 256, 4096);
        rig.smmu.write32(SmmuRegisters.CR0, 0);
        rig.smmu.write64(SmmuRegisters.STRTAB_BASE, l1);
        rig.smmu.write32(SmmuRegisters.STRTAB_BASE_CFG, SmmuRegisters.STRTAB_BASE_CFG_FMT_2LVL | 8 << 6 | 10);
        rig.smmu.write32(SmmuRegisters.CR0, SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_EVTQEN);
        rig.memory.write64(l1 + 8, l2 | 9); // SIDs 0x100..0x1ff, Span = SPLIT + 1
        long[] ste = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_BYPASS).build().encode();
        for (int i = 0; i < 8; i++) {
            rig.memory.write64(l2 + 64 * 0x23 + 8L * i, ste[i]);
        }
        assertThat(read(0x123, Pasid.NONE, 0x4000).physicalAddress()).isEqualTo(0x4000);
        read(0x5, Pasid.NONE, 0); // L1 entry 0: Span 0
        assertThat(onlyEvent().type()).isEqualTo(EventType.C_BAD_STREAMID);
    }

    @Test
    void steOverridesForcePrivilegeAndInstructionInRecords() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        ContextDescriptor cd = ContextDescriptor.linux(48, 5, 1, t.root(), false);
        long at = rig.writeCd(cd);
        rig.writeSte(13, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(at, 0, 0)
                .overrides(3, 3).build());
        read(13, Pasid.NONE, 0x1000);
        EventRecord e = onlyEvent();
        assertThat(e.privileged()).isTrue();
        assertThat(e.instruction()).isTrue();
        assertThat(e.read()).isTrue();
    }

    @Test
    void atsTranslationRequestsGetNoTranslationWithoutRecordsAndNeedEats() {
        TranslationTable t = TranslationTable.stage1(rig.frames, 48);
        ContextDescriptor cd = ContextDescriptor.linux(48, 5, 1, t.root(), false);
        long at = rig.writeCd(cd);
        rig.writeSte(14, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(at, 0, 0)
                .build());
        DmaAccess ats = DmaAccess.of(14, 0x1000, AccessType.READ, 8).withTranslationRequest(true);
        assertThat(rig.smmu.issue(ats).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(onlyEvent().type()).isEqualTo(EventType.F_BAD_ATS_TREQ);
        rig.writeSte(14, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(at, 0, 0)
                .eats(StreamTableEntry.EATS_TRANS).build());
        assertThat(rig.smmu.issue(ats).outcome()).isEqualTo(TranslationOutcome.NO_TRANSLATION);
        assertThat(rig.drainEvents()).isEmpty();
        t.map(0x1000, 0x7000_0000L, 0x1000, Protection.READ_WRITE);
        assertThat(rig.smmu.issue(ats).physicalAddress()).isEqualTo(0x7000_0000L);
    }
}
