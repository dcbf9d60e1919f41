package dev.faultline.platform.arm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import org.junit.jupiter.api.Test;

class TranslationTableTest {
    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator frames = new FrameAllocator(memory, 0x4000_0000L, 0x400_0000L);

    @Test
    void unmapOfPartOfABlockSplitsItAndKeepsTheRest() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x20_0000L, 0x8020_0000L, 2L << 20, Protection.READ_WRITE);
        assertThat(t.unmap(0x20_1000L, 0x1000)).isEqualTo(0x1000);
        assertThat(t.lookup(0x20_1000L)).isEmpty();
        assertThat(t.lookup(0x20_0000L)).hasValue(0x8020_0000L);
        assertThat(t.lookup(0x3f_f123L)).hasValue(0x803f_f123L);
        assertThat(memory.read64(t.leafDescriptorAddress(0x20_2000L).orElseThrow()))
                .isEqualTo(Descriptor.leaf(Stage.STAGE1, 3, 0x8020_2000L, Protection.READ_WRITE));
    }

    @Test
    void protectRewritesOnlyMappedPagesInTheRange() {
        TranslationTable t = TranslationTable.stage1(frames, 48);
        t.map(0x1000, 0x10_0000, 0x2000, Protection.READ | Protection.CACHE);
        assertThat(t.protect(0x0, 0x4000, Protection.READ_WRITE)).isEqualTo(0x2000);
        assertThat(memory.read64(t.leafDescriptorAddress(0x2000).orElseThrow()))
                .isEqualTo(Descriptor.leaf(Stage.STAGE1, 3, 0x10_1000, Protection.READ_WRITE));
        assertThat(t.lookup(0x3000)).isEmpty();
    }

    @Test
    void mappingTwiceIsRejected() {
        TranslationTable t = TranslationTable.stage2(frames, 40);
        t.map(0x1000, 0x10_0000, 0x1000, Protection.READ);
        assertThatThrownBy(() -> t.map(0x1000, 0x20_0000, 0x1000, Protection.READ))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("already mapped");
        assertThatThrownBy(() -> t.map(0x2000, 0x20_0000, 0x1000, Protection.READ | Protection.PRIV))
                .hasMessageContaining("stage-1");
        assertThatThrownBy(() -> t.map(0x2001, 0x20_0000, 0x1000, Protection.READ))
                .hasMessageContaining("aligned");
        assertThatThrownBy(() -> t.map(1L << 40, 0x20_0000, 0x1000, Protection.READ))
                .hasMessageContaining("40-bit");
    }

    @Test
    void everyMappedPageWalksToItsOutputAndUnmapRemovesIt() {
        Property.tries(60).check(s -> everyMappedPageWalksToItsOutputAndUnmapRemovesIt(
                s.draw("pages", Gens.integers(1, 40)), s.draw("startPage", Gens.integers(0, 1000)),
                s.draw("stage", Gens.integers(0, 1))));
    }

    private static void everyMappedPageWalksToItsOutputAndUnmapRemovesIt(int pages, int startPage, int stage) {
        PhysicalMemory mem = new PhysicalMemory();
        FrameAllocator f = new FrameAllocator(mem, 0x4000_0000L, 0x400_0000L);
        TranslationTable t = stage == 0 ? TranslationTable.stage1(f, 48) : TranslationTable.stage2(f, 40);
        TableWalker walker = new TableWalker(mem);
        long iova = 0x10_0000L + startPage * 0x1000L;
        long pa = 0x9000_0000L + startPage * 0x1000L;
        t.map(iova, pa, pages * 0x1000L, Protection.READ_WRITE);
        for (int i = 0; i < pages; i++) {
            WalkResult r = walker.walk(t.parameters(40), iova + i * 0x1000L + 8,
                    dev.faultline.platform.dma.AccessType.WRITE, false, TableAddressTranslator.IDENTITY);
            assertThat(r.outputAddress()).isEqualTo(pa + i * 0x1000L + 8);
        }
        assertThat(t.unmap(iova, pages * 0x1000L)).isEqualTo(pages * 0x1000L);
        assertThat(walker.walk(t.parameters(40), iova, dev.faultline.platform.dma.AccessType.READ, false,
                TableAddressTranslator.IDENTITY).fault()).isEqualTo(FaultKind.TRANSLATION);
    }
}
