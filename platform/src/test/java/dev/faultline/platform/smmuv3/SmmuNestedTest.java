package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.Descriptor;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.Stage;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Nested translation (guest stage 1 over host stage 2): which stage and CLASS each failure reports, with the IPA
 * (IHI 0070 §7.3.22).
 */
class SmmuNestedTest {
    private static final int SID = 0x21;
    private static final long GUEST_RAM_IPA = 0x4000_0000L;
    private static final long GUEST_RAM_PA = 0x1_0000_0000L;

    private final SmmuRig rig = new SmmuRig();
    private TranslationTable s2;
    private long s1Frames;
    private long cdIpa;
    private int nextIpaPage;

    /** Guest memory: a 16 MiB window at IPA 0x4000_0000 mapped at PA 0x1_0000_0000, where the guest keeps tables. */
    @BeforeEach
    void guest() {
        s2 = TranslationTable.stage2(rig.frames, 40);
        s2.map(GUEST_RAM_IPA, GUEST_RAM_PA, 16L << 20, Protection.READ_WRITE);
        s1Frames = GUEST_RAM_IPA;
        cdIpa = allocateGuestPage();
    }

    private long allocateGuestPage() {
        return s1Frames + 0x1000L * nextIpaPage++;
    }

    private long pa(long ipa) {
        return ipa - GUEST_RAM_IPA + GUEST_RAM_PA;
    }

    /** A 4-level guest table mapping {@code va} to {@code outIpa}, written at IPAs inside the guest window. */
    private long guestTable(long va, long outIpa) {
        long[] tables = new long[4];
        for (int l = 0; l < 4; l++) {
            tables[l] = allocateGuestPage();
        }
        for (int l = 0; l < 3; l++) {
            rig.memory.write64(pa(tables[l]) + ((va >>> Descriptor.levelShift(l)) & 0x1ff) * 8,
                    Descriptor.table(tables[l + 1]));
        }
        rig.memory.write64(pa(tables[3]) + ((va >>> 12) & 0x1ff) * 8,
                Descriptor.leaf(Stage.STAGE1, 3, outIpa, Protection.READ_WRITE));
        return tables[0];
    }

    private void nestedStream(long ttb0Ipa, boolean s2Stall) {
        long[] cd = ContextDescriptor.linux(48, 5, 1, ttb0Ipa, false).encode();
        for (int i = 0; i < 8; i++) {
            rig.memory.write64(pa(cdIpa) + 8L * i, cd[i]);
        }
        rig.writeSte(SID, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_NESTED)
                .contextTable(cdIpa, 0, 0).stage2(1, 24, s2.sl0(), 2, s2.root(), s2Stall).flags(false, true).build());
    }

    private EventRecord onlyEvent() {
        List<EventRecord> events = rig.drainEvents();
        assertThat(events).hasSize(1);
        return events.get(0);
    }

    private DmaTransaction read(long va) {
        return rig.smmu.issue(new DmaAccess(SID, Pasid.NONE, va, AccessType.READ, false, 8, false));
    }

    @Test
    void bothStagesTranslate() {
        long dataIpa = 0x4080_0000L;
        nestedStream(guestTable(0x7f00_0000_1000L, dataIpa), false);
        assertThat(read(0x7f00_0000_1010L).physicalAddress()).isEqualTo(pa(dataIpa) + 0x10);
    }

    @Test
    void stage2FaultOnTheFinalIpaIsClassInWithTheIpa() {
        nestedStream(guestTable(0x7f00_0000_1000L, 0x8000_0000L), false); // IPA outside the window
        assertThat(read(0x7f00_0000_1010L).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(e.s2()).isTrue();
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_IN);
        assertThat(e.ipa()).isEqualTo(0x8000_0000L);
        assertThat(e.inputAddress()).isEqualTo(0x7f00_0000_1010L);
    }

    @Test
    void stage2FaultOnAStage1TableIsClassTtWithTheDescriptorIpa() {
        long ttb = guestTable(0x7f00_0000_1000L, 0x4080_0000L);
        // point the guest's level-1 table at an IPA stage 2 does not map
        long l0Slot = pa(ttb) + ((0x7f00_0000_1000L >>> 39) & 0x1ff) * 8;
        rig.memory.write64(l0Slot, Descriptor.table(0x9000_0000L));
        nestedStream(ttb, false);
        read(0x7f00_0000_1000L);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(e.s2()).isTrue();
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_TT);
        assertThat(e.ipa()).isEqualTo(0x9000_0000L + ((0x7f00_0000_1000L >>> 30) & 0x1ff) * 8 & ~0xfffL);
    }

    @Test
    void stage2FaultOnTheCdFetchIsClassCd() {
        cdIpa = 0x9000_0000L; // unmapped at stage 2
        rig.writeSte(SID, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_NESTED)
                .contextTable(cdIpa, 0, 0).stage2(1, 24, s2.sl0(), 2, s2.root(), false).build());
        read(0x1000);
        EventRecord e = onlyEvent();
        assertThat(e.s2()).isTrue();
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_CD);
        assertThat(e.ipa()).isEqualTo(0x9000_0000L);
    }

    @Test
    void stage1FaultOfTheGuestIsAStage1Event() {
        nestedStream(guestTable(0x7f00_0000_1000L, 0x4080_0000L), false);
        read(0x7f00_0000_5000L);
        EventRecord e = onlyEvent();
        assertThat(e.s2()).isFalse();
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_IN);
    }

    @Test
    void hardwareAccessFlagUpdateOnAReadOnlyStage2PageIsAPermissionFaultWithTtdWrite() {
        long ttb = guestTable(0x7f00_0000_1000L, 0x4080_0000L);
        long leafTableIpa = ttb + 3 * 0x1000L;
        long leafSlot = pa(leafTableIpa) + 1 * 8;
        rig.memory.write64(leafSlot, rig.memory.read64(leafSlot) & ~Descriptor.AF);
        s2.protect(leafTableIpa, 0x1000, Protection.READ | Protection.CACHE); // guest table read-only at stage 2
        long[] cd = ContextDescriptor.linux(48, 5, 1, ttb, false).withAccessFlag(false, true, false).encode();
        for (int i = 0; i < 8; i++) {
            rig.memory.write64(pa(cdIpa) + 8L * i, cd[i]);
        }
        rig.writeSte(SID, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_NESTED)
                .contextTable(cdIpa, 0, 0).stage2(1, 24, s2.sl0(), 2, s2.root(), false).build());
        read(0x7f00_0000_1000L);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.F_PERMISSION);
        assertThat(e.s2()).isTrue();
        assertThat(e.classTt()).isTrue();
        assertThat(e.ttRead()).isFalse();
        assertThat(e.linuxLines(null).get(6)).contains("ttd_write");
    }

    @Test
    void stage1WalkOnStage2DeviceMemoryIsAPermissionFaultWithS2ptw() {
        long ttb = guestTable(0x7f00_0000_1000L, 0x4080_0000L);
        s2.protect(ttb, 0x1000, Protection.READ | Protection.MMIO);
        nestedStream(ttb, false);
        read(0x7f00_0000_1000L);
        EventRecord e = onlyEvent();
        assertThat(e.type()).isEqualTo(EventType.F_PERMISSION);
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_TT);
        assertThat(e.ttRead()).isTrue();
    }

    @Test
    void stage2FaultsStallWithS2s() {
        nestedStream(guestTable(0x7f00_0000_1000L, 0x8000_0000L), true);
        DmaTransaction tx = read(0x7f00_0000_1000L);
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.STALLED);
        EventRecord e = onlyEvent();
        assertThat(e.stall()).isTrue();
        assertThat(e.s2()).isTrue();
        s2.map(0x8000_0000L, 0x2_0000_0000L, 0x1000, Protection.READ_WRITE);
        rig.submit(new Command.Resume(SID, e.stag(), true, false));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(tx.physicalAddress()).isEqualTo(0x2_0000_0000L);
    }
}
