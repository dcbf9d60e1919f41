package dev.faultline.platform.arm;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TableWalkerTest {
    private static final long VA = 0x0000_7f12_3456_7abcL;
    private static final long PAGE_PA = 0x8_1234_5000L;
    private static final int OUTPUT_BITS = 40;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator frames = new FrameAllocator(memory, 0x4000_0000L, 0x100_0000L);
    private final Set<Long> holes = new HashSet<>();
    private final TableWalker walker = new TableWalker(memory, holes::contains);

    private WalkResult walk(TranslationTable t, long address, AccessType type, boolean priv) {
        return walker.walk(t.parameters(OUTPUT_BITS), address, type, priv, TableAddressTranslator.IDENTITY);
    }

    private TranslationTable mapped(Stage stage) {
        TranslationTable t = stage == Stage.STAGE1 ? TranslationTable.stage1(frames, 48)
                : TranslationTable.stage2(frames, 48);
        t.map(VA & ~0xfffL, PAGE_PA, 0x1000, Protection.READ_WRITE);
        return t;
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void translatesAMappedPageWithItsOffset(Stage stage) {
        WalkResult r = walk(mapped(stage), VA, AccessType.READ, false);
        assertThat(r.translated()).isTrue();
        assertThat(r.outputAddress()).isEqualTo(PAGE_PA | 0xabc);
        assertThat(r.level()).isEqualTo(3);
        assertThat(r.blockSize()).isEqualTo(0x1000);
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void invalidDescriptorAtEveryLevelIsATranslationFaultAtThatLevel(Stage stage) {
        for (int level = 0; level <= 3; level++) {
            TranslationTable t = mapped(stage);
            long slot = t.writeRaw(VA, level, 0x0000_0008_0000_0002L); // bit 0 clear
            WalkResult r = walk(t, VA, AccessType.READ, false);
            assertThat(r.fault()).as("level %d", level).isEqualTo(FaultKind.TRANSLATION);
            assertThat(r.level()).isEqualTo(level);
            assertThat(r.descriptorAddress()).isEqualTo(slot);
        }
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void levelZeroBlockAndLevelThreeType01AreTranslationFaults(Stage stage) {
        TranslationTable t = mapped(stage);
        t.writeRaw(VA, 0, 0x8000_0000L | Descriptor.TYPE_BLOCK | Descriptor.AF);
        assertThat(walk(t, VA, AccessType.READ, false)).extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(FaultKind.TRANSLATION, 0);
        TranslationTable u = mapped(stage);
        long page = u.writeRaw(VA, 3, 0);
        memory.write64(page, Descriptor.leaf(stage, 3, PAGE_PA, Protection.READ_WRITE) & ~0b10L);
        assertThat(walk(u, VA, AccessType.READ, false)).extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(FaultKind.TRANSLATION, 3);
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void inputBeyondTheRangeFaultsBeforeTheWalk(Stage stage) {
        TranslationTable t = stage == Stage.STAGE1 ? TranslationTable.stage1(frames, 39)
                : TranslationTable.stage2(frames, 40);
        WalkResult r = walk(t, 1L << 40, AccessType.READ, false);
        assertThat(r.fault()).isEqualTo(FaultKind.TRANSLATION);
        assertThat(r.level()).isZero();
        assertThat(r.descriptorAddress()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void tableAddressBeyondOutputSizeIsAnAddressSizeFaultAtLevels0To2(Stage stage) {
        for (int level = 0; level <= 2; level++) {
            TranslationTable t = mapped(stage);
            t.writeRaw(VA, level, Descriptor.table(1L << OUTPUT_BITS));
            WalkResult r = walk(t, VA, AccessType.READ, false);
            assertThat(r.fault()).as("level %d", level).isEqualTo(FaultKind.ADDRESS_SIZE);
            assertThat(r.level()).isEqualTo(level);
        }
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void leafOutputBeyondOutputSizeIsAnAddressSizeFaultAtLevels1To3(Stage stage) {
        for (int level = 1; level <= 3; level++) {
            TranslationTable t = mapped(stage);
            t.writeRaw(VA, level, Descriptor.leaf(stage, level, 1L << OUTPUT_BITS, Protection.READ_WRITE));
            WalkResult r = walk(t, VA, AccessType.READ, false);
            assertThat(r.fault()).as("level %d", level).isEqualTo(FaultKind.ADDRESS_SIZE);
            assertThat(r.level()).isEqualTo(level);
        }
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void clearedAccessFlagIsAnAccessFaultAtLevels1To3(Stage stage) {
        for (int level = 1; level <= 3; level++) {
            TranslationTable t = mapped(stage);
            long out = level == 3 ? PAGE_PA : 0x40_0000_0000L; // aligned for a 1 GiB and a 2 MiB block
            t.writeRaw(VA, level, Descriptor.leaf(stage, level, out, Protection.READ_WRITE) & ~Descriptor.AF);
            WalkResult r = walk(t, VA, AccessType.READ, false);
            assertThat(r.fault()).as("level %d", level).isEqualTo(FaultKind.ACCESS_FLAG);
            assertThat(r.level()).isEqualTo(level);
        }
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void externalAbortOnADescriptorFetchAtEveryLevel(Stage stage) {
        for (int level = 0; level <= 3; level++) {
            TranslationTable t = mapped(stage);
            long slot = t.writeRaw(VA, level, 0);
            holes.clear();
            holes.add(slot);
            WalkResult r = walk(t, VA, AccessType.READ, false);
            assertThat(r.fault()).as("level %d", level).isEqualTo(FaultKind.EXTERNAL_ABORT);
            assertThat(r.level()).isEqualTo(level);
            assertThat(r.descriptorAddress()).isEqualTo(slot);
        }
    }

    @ParameterizedTest
    @EnumSource(Stage.class)
    void readOnlyLeafDeniesWritesAtLevels1To3(Stage stage) {
        for (int level = 1; level <= 3; level++) {
            TranslationTable t = mapped(stage);
            long out = level == 3 ? PAGE_PA : 0;
            t.writeRaw(VA, level, Descriptor.leaf(stage, level, out, Protection.READ | Protection.CACHE));
            assertThat(walk(t, VA, AccessType.READ, false).translated()).isTrue();
            WalkResult r = walk(t, VA, AccessType.WRITE, false);
            assertThat(r.fault()).as("level %d", level).isEqualTo(FaultKind.PERMISSION);
            assertThat(r.level()).isEqualTo(level);
        }
    }

    @Test
    void blocksTranslateWithTheirOffsetAtLevels1And2() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x4000_0000L, 0x1_0000_0000L, 1L << 30, Protection.READ_WRITE);
        t.map(0x20_0000L, 0x8020_0000L, 2L << 20, Protection.READ_WRITE);
        WalkResult gib = walk(t, 0x4123_4567L, AccessType.READ, false);
        assertThat(gib.level()).isEqualTo(1);
        assertThat(gib.outputAddress()).isEqualTo(0x1_0123_4567L);
        WalkResult mib = walk(t, 0x21_2345L, AccessType.WRITE, false);
        assertThat(mib.level()).isEqualTo(2);
        assertThat(mib.outputAddress()).isEqualTo(0x8021_2345L);
        assertThat(mib.descriptor()).isEqualTo(0x0000_0000_8020_0f45L);
    }

    @Test
    void stage1ApControlsPrivilegeAndWrite() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.READ | Protection.PRIV | Protection.CACHE); // AP 10
        assertThat(walk(t, 0x1000, AccessType.READ, true).translated()).isTrue();
        assertThat(walk(t, 0x1000, AccessType.READ, false).fault()).isEqualTo(FaultKind.PERMISSION);
        assertThat(walk(t, 0x1000, AccessType.WRITE, true).fault()).isEqualTo(FaultKind.PERMISSION);
        t.map(0x2000, 0x20_0000, 0x1000, Protection.READ_WRITE | Protection.PRIV); // AP 00
        assertThat(walk(t, 0x2000, AccessType.WRITE, true).translated()).isTrue();
        assertThat(walk(t, 0x2000, AccessType.WRITE, false).fault()).isEqualTo(FaultKind.PERMISSION);
    }

    @Test
    void executeIsCheckedAgainstUxnAndPxn() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.READ_WRITE | Protection.NOEXEC);
        assertThat(walk(t, 0x1000, AccessType.INSTRUCTION_FETCH, false).fault()).isEqualTo(FaultKind.PERMISSION);
        assertThat(walk(t, 0x1000, AccessType.INSTRUCTION_FETCH, true).fault()).isEqualTo(FaultKind.PERMISSION);
        t.map(0x2000, 0x20_0000, 0x1000, Protection.READ | Protection.CACHE); // read-only, executable
        assertThat(walk(t, 0x2000, AccessType.INSTRUCTION_FETCH, false).translated()).isTrue();
        assertThat(walk(t, 0x2000, AccessType.INSTRUCTION_FETCH, true).translated()).isTrue();
        t.map(0x3000, 0x30_0000, 0x1000, Protection.READ_WRITE); // EL0-writable: implicit PXN
        assertThat(walk(t, 0x3000, AccessType.INSTRUCTION_FETCH, false).translated()).isTrue();
        assertThat(walk(t, 0x3000, AccessType.INSTRUCTION_FETCH, true).fault()).isEqualTo(FaultKind.PERMISSION);
    }

    @Test
    void hierarchicalTableBitsRestrictEverythingBelow() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.READ_WRITE);
        long l2 = t.leafDescriptorAddress(0x1000).orElseThrow();
        // level-2 table descriptor of this walk: patch APTable[1] (read-only below) into it
        long l2Slot = t.writeRaw(0x1000, 2, memory.read64(findTableSlot(t, 0x1000, 2)) | Descriptor.AP_TABLE_RDONLY);
        assertThat(l2Slot).isNotEqualTo(l2);
        assertThat(walk(t, 0x1000, AccessType.READ, false).translated()).isTrue();
        assertThat(walk(t, 0x1000, AccessType.WRITE, false).fault()).isEqualTo(FaultKind.PERMISSION);
        t.writeRaw(0x1000, 2, memory.read64(l2Slot) | Descriptor.AP_TABLE_NO_EL0 | Descriptor.UXN_TABLE);
        assertThat(walk(t, 0x1000, AccessType.READ, false).fault()).isEqualTo(FaultKind.PERMISSION);
        assertThat(walk(t, 0x1000, AccessType.READ, true).translated()).isTrue();
        assertThat(walk(t, 0x1000, AccessType.INSTRUCTION_FETCH, false).fault()).isEqualTo(FaultKind.PERMISSION);
    }

    private long findTableSlot(TranslationTable t, long va, int level) {
        long table = t.root();
        for (int l = t.startLevel(); l < level; l++) {
            long d = memory.read64(table + ((va >>> Descriptor.levelShift(l)) & 0x1ff) * 8);
            table = d & Descriptor.ADDR_MASK;
        }
        return table + ((va >>> Descriptor.levelShift(level)) & 0x1ff) * 8;
    }

    @Test
    void stage2ApIsReadWriteWithoutPrivilegeAndXnStopsFetches() {
        TranslationTable t = TranslationTable.stage2(frames, 40);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.WRITE); // S2AP 10: write-only
        assertThat(walk(t, 0x1000, AccessType.WRITE, false).translated()).isTrue();
        assertThat(walk(t, 0x1000, AccessType.READ, true).fault()).isEqualTo(FaultKind.PERMISSION);
        t.map(0x2000, 0x20_0000, 0x1000, Protection.READ_WRITE | Protection.NOEXEC);
        assertThat(walk(t, 0x2000, AccessType.INSTRUCTION_FETCH, true).fault()).isEqualTo(FaultKind.PERMISSION);
    }

    @Test
    void accessFlagIsSetByHardwareOrIgnoredWithAffd() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.READ_WRITE);
        t.setAccessFlag(0x1000, false);
        WalkParameters p = t.parameters(OUTPUT_BITS);
        assertThat(walker.walk(p.withAccessFlag(true, false, false), 0x1000, AccessType.READ, false,
                TableAddressTranslator.IDENTITY).translated()).isTrue();
        long slot = t.leafDescriptorAddress(0x1000).orElseThrow();
        assertThat(memory.read64(slot) & Descriptor.AF).isZero();
        assertThat(walker.walk(p.withAccessFlag(false, true, false), 0x1000, AccessType.READ, false,
                TableAddressTranslator.IDENTITY).translated()).isTrue();
        assertThat(memory.read64(slot) & Descriptor.AF).isNotZero();
    }

    @Test
    void hardwareDirtyMakesADbmPageWritable() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.READ | Protection.CACHE);
        long slot = t.leafDescriptorAddress(0x1000).orElseThrow();
        memory.write64(slot, memory.read64(slot) | Descriptor.DBM);
        WalkParameters p = t.parameters(OUTPUT_BITS);
        assertThat(walker.walk(p, 0x1000, AccessType.WRITE, false, TableAddressTranslator.IDENTITY).fault())
                .isEqualTo(FaultKind.PERMISSION);
        assertThat(walker.walk(p.withAccessFlag(false, false, true), 0x1000, AccessType.WRITE, false,
                TableAddressTranslator.IDENTITY).translated()).isTrue();
        assertThat(memory.read64(slot) & Descriptor.AP_RDONLY).isZero();
    }

    @Test
    void nestedTableFetchThatFaultsReportsTheLevelAndKind() {
        TranslationTable t = mapped(Stage.STAGE1);
        WalkResult r = walker.walk(t.parameters(OUTPUT_BITS), VA, AccessType.READ, false,
                (address, write) -> TableAddressTranslator.FAULT);
        assertThat(r.fault()).isEqualTo(FaultKind.TABLE_ADDRESS);
        assertThat(r.level()).isZero();
        assertThat(r.descriptorWrite()).isFalse();
    }

    @Test
    void concatenatedStage2StartsAtLevel1WithA1024EntryTable() {
        // stage 2 with concatenated level-1 tables: IAS 40, SL0 = 1, index (ipa >> 30) & 0x3ff
        TranslationTable t = TranslationTable.stage2(frames, 40);
        assertThat(t.startLevel()).isEqualTo(1);
        assertThat(t.sl0()).isEqualTo(1);
        assertThat(t.tsz()).isEqualTo(24);
        long ipa = 0xff_1234_5678L;
        t.map(ipa & ~0xfffL, 0x5000_0000L, 0x1000, Protection.READ_WRITE);
        assertThat(memory.read64(t.root() + 0x3fcL * 8)).isNotZero();
        assertThat(walk(t, ipa, AccessType.READ, false).outputAddress()).isEqualTo(0x5000_0678L);
        TranslationTable s1 = TranslationTable.stage1(frames, 40);
        assertThat(s1.startLevel()).isZero();
        s1.map(ipa & ~0xfffL, 0x5000_0000L, 0x1000, Protection.READ_WRITE);
        assertThat(memory.read64(s1.root() + 8)).isNotZero(); // L0 index 1 of a 2-entry table
    }
}
