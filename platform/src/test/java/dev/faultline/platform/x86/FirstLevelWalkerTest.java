package dev.faultline.platform.x86;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class FirstLevelWalkerTest {
    private static final int WIDTH = 46;
    private static final long MEMORY_TOP = 1L << 40;
    private static final long VA = 0x0000_7f12_3456_7000L;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator allocator = new FrameAllocator(memory, 0x1000_0000L, 0x1000_0000L);
    private final FirstLevelWalker walker = new FirstLevelWalker(memory, WIDTH, MEMORY_TOP, true);
    private FirstLevelPageTable table;

    @BeforeEach
    void mapOnePage() {
        table = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_4K);
        table.map(VA, 0x1_2345_6000L, 0x1000, PageProtection.READ_WRITE_EXECUTE);
    }

    @Test
    void indexesTheTv39AddressAndHonoursItsLeafEntries() {
        // a hand-computed walk: indices PML4 0xfe, PDPT 0x48, PD 0x1a2, PT 0x167.
        long pml4 = 0x8123_5000L;
        long pdpt = 0x8123_6000L;
        long pd = 0x8123_7000L;
        long pt = 0x8123_8000L;
        memory.write64(pml4 + 0xfe * 8, pdpt | 0x7);
        memory.write64(pdpt + 0x48 * 8, pd | 0x7);
        memory.write64(pd + 0x1a2 * 8, pt | 0x7);
        long leaf = pt + 0x167 * 8;

        memory.write64(leaf, 0x8000_0001_2345_6067L);
        WalkResult ok = walker.walk(pml4, 0x7f12_3456_7abcL, FirstLevelWalker.WRITE);
        assertThat(ok.translated()).isTrue();
        assertThat(ok.outputAddress()).isEqualTo(0x1_2345_6abcL);
        assertThat(ok.entryAddress()).isEqualTo(leaf);

        memory.write64(leaf, 0x8000_0001_2345_6065L);
        assertThat(walker.walk(pml4, VA, FirstLevelWalker.WRITE))
                .isEqualTo(WalkResult.fault(WalkFault.WRITE, 1, leaf));
        memory.write64(leaf, 0x8000_0001_2345_6063L);
        assertThat(walker.walk(pml4, VA, 0)).isEqualTo(WalkResult.fault(WalkFault.USER, 1, leaf));
        memory.write64(leaf, 0);
        assertThat(walker.walk(pml4, VA, 0)).isEqualTo(WalkResult.fault(WalkFault.NOT_PRESENT, 1, leaf));
        assertThat(walker.walk(pml4, 0x0000_8000_0000_0000L, 0))
                .isEqualTo(WalkResult.fault(WalkFault.NON_CANONICAL, 0, 0));
    }

    @Test
    void acceptsUpperHalfCanonicalAddresses() {
        FirstLevelPageTable upper = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_4K);
        upper.map(0xffff_8000_0000_0000L, 0x5000, 0x1000, PageProtection.READ_ONLY);
        assertThat(walker.walk(upper.root(), 0xffff_8000_0000_0008L, 0).outputAddress()).isEqualTo(0x5008);
        assertThat(walker.walk(upper.root(), 0xfffe_8000_0000_0000L, 0).fault()).isEqualTo(WalkFault.NON_CANONICAL);
    }

    static Stream<Arguments> faultsAtEveryLevel() {
        return Stream.of(WalkFault.NOT_PRESENT, WalkFault.USER, WalkFault.WRITE, WalkFault.EXECUTE,
                WalkFault.RESERVED, WalkFault.TABLE_ACCESS)
                .flatMap(fault -> IntStream.rangeClosed(1, 4).mapToObj(level -> Arguments.of(fault, level)));
    }

    @ParameterizedTest(name = "{0} at level {1}")
    @MethodSource("faultsAtEveryLevel")
    void reportsEachFaultKindAtTheLevelWhoseEntryCausesIt(WalkFault fault, int levelNumber) {
        PagingLevel level = PagingLevel.of(levelNumber);
        long entryAddress = table.entryAddress(VA, level).orElseThrow();
        long entry = memory.read64(entryAddress);
        long root = table.root();
        int request = 0;
        switch (fault) {
            case NOT_PRESENT -> memory.write64(entryAddress, entry & ~PagingEntry.PRESENT);
            case USER -> memory.write64(entryAddress, entry & ~PagingEntry.USER);
            case WRITE -> {
                memory.write64(entryAddress, entry & ~PagingEntry.WRITABLE);
                request = FirstLevelWalker.WRITE;
            }
            case EXECUTE -> {
                memory.write64(entryAddress, entry | PagingEntry.EXECUTE_DISABLE);
                request = FirstLevelWalker.EXECUTE;
            }
            case RESERVED -> memory.write64(entryAddress, entry | 1L << 50); // above the 46-bit width
            case TABLE_ACCESS -> {
                // the entry above points at a table beyond installed memory (for the PML4: the root does)
                long beyond = MEMORY_TOP + 0x1000;
                if (level == PagingLevel.PML4) {
                    root = beyond;
                } else {
                    long parent = table.entryAddress(VA, PagingLevel.of(levelNumber + 1)).orElseThrow();
                    memory.write64(parent, beyond | PagingEntry.PRESENT | PagingEntry.WRITABLE | PagingEntry.USER);
                }
                entryAddress = beyond + level.index(VA) * 8L;
            }
            default -> throw new AssertionError(fault);
        }
        assertThat(walker.walk(root, VA, request)).isEqualTo(WalkResult.fault(fault, levelNumber, entryAddress));
    }

    @Test
    void translatesTheSameWalkWhenNothingIsWrong() {
        for (int request : new int[] {0, FirstLevelWalker.WRITE, FirstLevelWalker.EXECUTE}) {
            assertThat(walker.walk(table.root(), VA + 0x10, request))
                    .isEqualTo(WalkResult.translated(PagingLevel.PT, 0x1_2345_6010L,
                            table.entryAddress(VA, PagingLevel.PT).orElseThrow()));
        }
    }

    @Test
    void aReusedCarrierHoldsWhatEachWalkWouldReturn() {
        FirstLevelPageTable large = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_2M);
        large.map(0x20_0000L, 0x4000_0000L, 0x20_0000L, PageProtection.READ_WRITE);
        table.protect(VA, 0x1000, PageProtection.READ_ONLY);
        WalkOutcome out = new WalkOutcome();
        long[][] walks = {
            {table.root(), VA + 0x10, 0}, // translated, 4 KiB
            {table.root(), VA, FirstLevelWalker.WRITE}, // a write fault at the leaf
            {large.root(), 0x2f_f123L, FirstLevelWalker.WRITE}, // translated, 2 MiB
            {table.root(), 0x0000_8000_0000_0000L, 0}, // non-canonical: no table read
            {large.root(), 0x60_0000L, 0}, // not present
        };
        for (long[] w : walks) {
            WalkResult expected = walker.walk(w[0], w[1], (int) w[2]);
            assertThat(walker.walk(w[0], w[1], (int) w[2], out)).isEqualTo(expected.translated());
            assertThat(out.result()).isEqualTo(expected);
            assertThat(new WalkResult(out.fault(), out.level(), out.outputAddress(), out.pageSize(),
                    out.entryAddress())).isEqualTo(expected);
            assertThat(out.translated()).isEqualTo(expected.translated());
        }
    }

    @Test
    void letsSupervisorRequestsIgnoreUserAndWriteBitsUnlessWriteProtected() {
        long leaf = table.entryAddress(VA, PagingLevel.PT).orElseThrow();
        memory.write64(leaf, memory.read64(leaf) & ~(PagingEntry.USER | PagingEntry.WRITABLE));
        int supervisorWrite = FirstLevelWalker.SUPERVISOR | FirstLevelWalker.WRITE;
        assertThat(walker.walk(table.root(), VA, supervisorWrite).translated()).isTrue();
        assertThat(walker.walk(table.root(), VA, supervisorWrite | FirstLevelWalker.WRITE_PROTECT).fault())
                .isEqualTo(WalkFault.WRITE);
        assertThat(walker.walk(table.root(), VA, FirstLevelWalker.WRITE).fault()).isEqualTo(WalkFault.USER);
    }

    @Test
    void checksPresentThenUserThenWriteThenReservedWithinOneEntry() {
        long leaf = table.entryAddress(VA, PagingLevel.PT).orElseThrow();
        long entry = memory.read64(leaf);
        memory.write64(leaf, (entry | 1L << 50) & ~(PagingEntry.USER | PagingEntry.WRITABLE));
        assertThat(walker.walk(table.root(), VA, FirstLevelWalker.WRITE).fault()).isEqualTo(WalkFault.USER);
        memory.write64(leaf, (entry | 1L << 50) & ~PagingEntry.WRITABLE);
        assertThat(walker.walk(table.root(), VA, FirstLevelWalker.WRITE).fault()).isEqualTo(WalkFault.WRITE);
        assertThat(walker.walk(table.root(), VA, 0).fault()).isEqualTo(WalkFault.RESERVED);
        memory.write64(leaf, (entry | 1L << 50) & ~PagingEntry.PRESENT);
        assertThat(walker.walk(table.root(), VA, 0).fault()).isEqualTo(WalkFault.NOT_PRESENT);
    }

    @Test
    void setsAccessedOnEveryLevelAndDirtyOnlyOnAWrittenLeaf() {
        walker.walk(table.root(), VA, 0);
        for (PagingLevel level : PagingLevel.values()) {
            PagingEntry entry = new PagingEntry(memory.read64(table.entryAddress(VA, level).orElseThrow()));
            assertThat(entry.accessed()).as("%s", level).isTrue();
            assertThat(entry.dirty()).as("%s", level).isFalse();
        }
        walker.walk(table.root(), VA, FirstLevelWalker.WRITE);
        assertThat(new PagingEntry(memory.read64(table.entryAddress(VA, PagingLevel.PT).orElseThrow())).dirty())
                .isTrue();
        assertThat(new PagingEntry(memory.read64(table.entryAddress(VA, PagingLevel.PD).orElseThrow())).dirty())
                .isFalse();
    }

    @Test
    void leavesAccessedAndDirtyAloneWhenTheWalkFaultsAtTheLeaf() {
        long leaf = table.entryAddress(VA, PagingLevel.PT).orElseThrow();
        memory.write64(leaf, memory.read64(leaf) & ~PagingEntry.WRITABLE);
        walker.walk(table.root(), VA, FirstLevelWalker.WRITE);
        assertThat(new PagingEntry(memory.read64(leaf)).accessed()).isFalse();
    }

    @Test
    void translatesLargePagesAtTheirLevel() {
        FirstLevelPageTable large = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_1G);
        large.map(0x4000_0000L, 0x8000_0000L, FirstLevelPageTable.PAGE_1G, PageProtection.READ_WRITE);
        large.map(0x20_0000L, 0x60_0000L, FirstLevelPageTable.PAGE_2M, PageProtection.READ_WRITE);
        WalkResult giga = walker.walk(large.root(), 0x4123_4567L, 0);
        assertThat(giga.level()).isEqualTo(3);
        assertThat(giga.pageSize()).isEqualTo(FirstLevelPageTable.PAGE_1G);
        assertThat(giga.outputAddress()).isEqualTo(0x8123_4567L);
        WalkResult mega = walker.walk(large.root(), 0x2f_f123L, 0);
        assertThat(mega.level()).isEqualTo(2);
        assertThat(mega.outputAddress()).isEqualTo(0x6f_f123L);
    }

    @Test
    void treatsLargePageBitsAsReservedWhereTheFormatForbidsThem() {
        FirstLevelPageTable large = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_1G);
        large.map(0x4000_0000L, 0x8000_0000L, FirstLevelPageTable.PAGE_1G, PageProtection.READ_WRITE);
        large.map(0x20_0000L, 0x60_0000L, FirstLevelPageTable.PAGE_2M, PageProtection.READ_WRITE);
        FirstLevelWalker without1G = new FirstLevelWalker(memory, WIDTH, MEMORY_TOP, false);
        assertThat(without1G.walk(large.root(), 0x4000_0000L, 0)).extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(WalkFault.RESERVED, 3);

        long pdpt = large.entryAddress(0x4000_0000L, PagingLevel.PDPT).orElseThrow();
        memory.write64(pdpt, memory.read64(pdpt) | 1L << 20); // inside [29:13]
        assertThat(walker.walk(large.root(), 0x4000_0000L, 0)).extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(WalkFault.RESERVED, 3);

        long pd = large.entryAddress(0x20_0000L, PagingLevel.PD).orElseThrow();
        memory.write64(pd, memory.read64(pd) | 1L << 13);
        assertThat(walker.walk(large.root(), 0x20_0000L, 0)).extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(WalkFault.RESERVED, 2);
        memory.write64(pd, (memory.read64(pd) & ~(1L << 13)) | PagingEntry.LARGE_PAT);
        assertThat(walker.walk(large.root(), 0x20_0000L, 0).translated()).isTrue();

        long pml4 = large.entryAddress(0x20_0000L, PagingLevel.PML4).orElseThrow();
        memory.write64(pml4, memory.read64(pml4) | PagingEntry.PAGE_SIZE);
        assertThat(walker.walk(large.root(), 0x20_0000L, 0)).extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(WalkFault.RESERVED, 4);
    }

    @Test
    void treatsBit7OfA4KibEntryAsPatNotPageSize() {
        long leaf = table.entryAddress(VA, PagingLevel.PT).orElseThrow();
        memory.write64(leaf, memory.read64(leaf) | PagingEntry.PAGE_SIZE);
        assertThat(walker.walk(table.root(), VA, 0).outputAddress()).isEqualTo(0x1_2345_6000L);
    }

    @Test
    void refusesOutputInTheInterruptRange() {
        FirstLevelPageTable msi = new FirstLevelPageTable(allocator, FirstLevelPageTable.PAGE_4K);
        msi.map(0x10_0000L, 0xfee0_0000L, 0x1000, PageProtection.READ_WRITE);
        assertThat(walker.walk(msi.root(), 0x10_0000L, FirstLevelWalker.WRITE))
                .extracting(WalkResult::fault, WalkResult::level)
                .containsExactly(WalkFault.INTERRUPT_ADDRESS, 1);
    }
}
