package dev.faultline.platform.x86;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class FirstLevelPageTableTest {
    private static final long K4 = FirstLevelPageTable.PAGE_4K;
    private static final long M2 = FirstLevelPageTable.PAGE_2M;
    private static final long G1 = FirstLevelPageTable.PAGE_1G;

    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator allocator = new FrameAllocator(memory, 0x1000_0000L, 0x1000_0000L);
    private final FirstLevelWalker walker = new FirstLevelWalker(memory, 46, 1L << 40, true);

    @Test
    void usesTheLargestPageTheAlignmentAllows() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, G1);
        table.map(0, 0x4000_0000L, G1 + 2 * M2 + K4, PageProtection.READ_WRITE);
        assertThat(walker.walk(table.root(), 0x1234, 0).level()).isEqualTo(3);
        assertThat(walker.walk(table.root(), G1 + M2 + 5, 0).level()).isEqualTo(2);
        assertThat(walker.walk(table.root(), G1 + 2 * M2, 0).level()).isEqualTo(1);
        assertThat(walker.walk(table.root(), G1 + 2 * M2 + K4, 0).fault()).isEqualTo(WalkFault.NOT_PRESENT);
        assertThat(table.translate(G1 + M2 + 5)).hasValue(0x4000_0000L + G1 + M2 + 5);
    }

    @Test
    void keepsSmallPagesWhenThePhysicalSideIsMisaligned() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, M2);
        table.map(0, 0x1000, M2, PageProtection.READ_WRITE);
        assertThat(walker.walk(table.root(), M2 - 1, 0).level()).isEqualTo(1);
        assertThat(walker.walk(table.root(), M2 - 1, 0).outputAddress()).isEqualTo(0x1000 + M2 - 1);
    }

    @Test
    void refusesToMapOverAMappingAndChangesNothing() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, K4);
        table.map(0x5000, 0x9000, K4, PageProtection.READ_ONLY);
        assertThatThrownBy(() -> table.map(0x4000, 0x20000, 3 * K4, PageProtection.READ_WRITE))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("0x5000");
        assertThat(table.translate(0x4000)).isEmpty();
        assertThat(table.translate(0x5000)).hasValue(0x9000);
    }

    @Test
    void splitsALargePageWhenPartOfItIsUnmapped() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, M2);
        table.map(0, 0x60_0000L, M2, PageProtection.READ_WRITE);
        assertThat(table.unmap(0x3000, 2 * K4)).isEqualTo(2 * K4);
        assertThat(table.translate(0x3000)).isEmpty();
        assertThat(table.translate(0x4000)).isEmpty();
        assertThat(table.translate(0x2fff)).hasValue(0x60_2fffL);
        assertThat(table.translate(0x5000)).hasValue(0x60_5000L);
        assertThat(walker.walk(table.root(), 0x5000, FirstLevelWalker.WRITE).level()).isEqualTo(1);
    }

    @Test
    void countsOnlyMappedBytesWhenUnmappingAcrossHoles() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, K4);
        table.map(0x1000, 0x1000, K4, PageProtection.READ_WRITE);
        table.map(0x40_0000_0000L, 0x2000, K4, PageProtection.READ_WRITE);
        assertThat(table.unmap(0, 0x80_0000_0000L)).isEqualTo(2 * K4);
        assertThat(table.translate(0x40_0000_0000L)).isEmpty();
    }

    @Test
    void protectsPartOfAGigabytePageBySplittingIt() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, G1);
        table.map(0, 0x4000_0000L, G1, PageProtection.READ_WRITE);
        assertThat(table.protect(M2 + K4, K4, PageProtection.READ_ONLY)).isEqualTo(K4);
        assertThat(walker.walk(table.root(), M2 + K4, FirstLevelWalker.WRITE))
                .extracting(WalkResult::fault, WalkResult::level).containsExactly(WalkFault.WRITE, 1);
        assertThat(walker.walk(table.root(), M2 + K4, 0).outputAddress()).isEqualTo(0x4000_0000L + M2 + K4);
        assertThat(walker.walk(table.root(), M2 + 2 * K4, FirstLevelWalker.WRITE).translated()).isTrue();
        assertThat(walker.walk(table.root(), 5 * M2, FirstLevelWalker.WRITE).level()).isEqualTo(2);
    }

    @Test
    void dropsDirtyWhenAPageBecomesReadOnly() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, K4);
        table.map(0x1000, 0x1000, K4, PageProtection.READ_WRITE);
        walker.walk(table.root(), 0x1000, FirstLevelWalker.WRITE);
        table.protect(0x1000, K4, PageProtection.READ_ONLY);
        PagingEntry leaf = new PagingEntry(memory.read64(table.entryAddress(0x1000, PagingLevel.PT).orElseThrow()));
        assertThat(leaf.dirty()).isFalse();
        assertThat(leaf.accessed()).isTrue();
        assertThat(PageProtection.of(leaf.value())).isEqualTo(PageProtection.READ_ONLY);
    }

    @ParameterizedTest
    @ValueSource(longs = {0x0000_8000_0000_0000L, 0x0000_7fff_ffff_f000L})
    void rejectsRangesOutsideOneCanonicalHalf(long va) {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, K4);
        assertThatThrownBy(() -> table.map(va, 0, 2 * K4, PageProtection.READ_ONLY))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("canonical");
    }

    @Test
    void rejectsUnalignedRangesAndPageSizes() {
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, K4);
        assertThatThrownBy(() -> table.map(0x800, 0, K4, PageProtection.READ_ONLY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.map(0, 0x800, K4, PageProtection.READ_ONLY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> table.unmap(0, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new FirstLevelPageTable(allocator, 0x8000))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void agreesWithAReferenceMapUnderRandomEdits() {
        Random random = new Random(20231);
        FirstLevelPageTable table = new FirstLevelPageTable(allocator, M2);
        TreeMap<Long, long[]> reference = new TreeMap<>(); // page -> {pa, writable}
        long window = 8 * M2;
        for (int step = 0; step < 400; step++) {
            long pages = 1 + random.nextInt(600);
            long va = (random.nextLong() & (window - 1)) & -K4;
            long size = Math.min(pages * K4, window - va);
            int op = random.nextInt(3);
            if (op == 0) {
                boolean free = reference.subMap(va, va + size).isEmpty();
                long pa = 0x1_0000_0000L + (random.nextBoolean() ? va : va + K4);
                if (free) {
                    table.map(va, pa, size, PageProtection.READ_WRITE);
                    for (long p = 0; p < size; p += K4) {
                        reference.put(va + p, new long[] {pa + p, 1});
                    }
                } else {
                    assertThatThrownBy(() -> table.map(va, pa, size, PageProtection.READ_WRITE))
                            .isInstanceOf(IllegalStateException.class);
                }
            } else if (op == 1) {
                long expected = reference.subMap(va, va + size).size() * K4;
                assertThat(table.unmap(va, size)).isEqualTo(expected);
                reference.subMap(va, va + size).clear();
            } else {
                long expected = reference.subMap(va, va + size).size() * K4;
                assertThat(table.protect(va, size, PageProtection.READ_ONLY)).isEqualTo(expected);
                reference.subMap(va, va + size).values().forEach(v -> v[1] = 0);
            }
            for (int probe = 0; probe < 8; probe++) {
                long page = (random.nextLong() & (window - 1)) & -K4;
                long[] want = reference.get(page);
                WalkResult read = walker.walk(table.root(), page, 0);
                WalkResult write = walker.walk(table.root(), page, FirstLevelWalker.WRITE);
                if (want == null) {
                    assertThat(read.fault()).isEqualTo(WalkFault.NOT_PRESENT);
                } else {
                    assertThat(read.outputAddress()).isEqualTo(want[0]);
                    assertThat(write.translated()).isEqualTo(want[1] == 1);
                }
            }
        }
    }
}
