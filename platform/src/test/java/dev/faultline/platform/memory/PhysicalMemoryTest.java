package dev.faultline.platform.memory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

class PhysicalMemoryTest {
    private final PhysicalMemory memory = new PhysicalMemory();

    @Test
    void unwrittenMemoryReadsZeroWithoutAllocating() {
        assertThat(memory.read64(0x7_0000_0000L)).isZero();
        assertThat(memory.residentPages()).isZero();
    }

    @Test
    void addressesManyGibibytesApartCostOnePageEach() {
        memory.write64(0x10_0000_0000L, 1);
        memory.write64(0xf_ffff_f000_0000L, 2);
        assertThat(memory.read64(0x10_0000_0000L)).isEqualTo(1);
        assertThat(memory.read64(0xf_ffff_f000_0000L)).isEqualTo(2);
        assertThat(memory.residentPages()).isEqualTo(2);
    }

    @Test
    void theHighestAndLowestPagesAndAZeroedPageAreCountedExactly() {
        memory.write8(0, 1);
        memory.write8((1L << PhysicalMemory.ADDRESS_BITS) - 1, 0xff);
        memory.write32(0x1000, 7);
        assertThat(memory.residentPages()).isEqualTo(3);
        assertThat(memory.read8((1L << PhysicalMemory.ADDRESS_BITS) - 1)).isEqualTo(0xff);

        memory.zeroPage(0x1abc);
        memory.zeroPage(0x1abc);
        memory.zeroPage(0x5_0000_0000L);
        assertThat(memory.residentPages()).isEqualTo(2);
        assertThat(memory.read32(0x1000)).isZero();
        memory.write64(0x1008, 9);
        assertThat(memory.residentPages()).isEqualTo(3);
    }

    @Test
    void concurrentNarrowWritesToOneWordAllSurvive() throws Exception {
        // eight threads each own one byte of the same word and write it many times: no write may undo another's
        int rounds = 20_000;
        CountDownLatch start = new CountDownLatch(1);
        Thread[] writers = new Thread[8];
        for (int b = 0; b < writers.length; b++) {
            int lane = b;
            writers[b] = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < rounds; i++) {
                    memory.write8(0x2000 + lane, (i + lane) & 0xff);
                }
            });
            writers[b].start();
        }
        start.countDown();
        for (Thread w : writers) {
            w.join();
        }
        for (int lane = 0; lane < writers.length; lane++) {
            assertThat(memory.read8(0x2000 + lane)).as("byte %d", lane).isEqualTo((rounds - 1 + lane) & 0xff);
        }
    }

    @Test
    void narrowAccessesAreLittleEndianViewsOfTheWord() {
        memory.write64(0x1000, 0x1122_3344_5566_7788L);
        assertThat(memory.read32(0x1000)).isEqualTo(0x5566_7788L);
        assertThat(memory.read32(0x1004)).isEqualTo(0x1122_3344L);
        assertThat(memory.read8(0x1000)).isEqualTo(0x88);
        memory.write32(0x1004, 0xaabbccdd);
        memory.write8(0x1001, 0x00);
        assertThat(memory.read64(0x1000)).isEqualTo(0xaabb_ccdd_5566_0088L);
        assertThat(memory.readBytes(0x1000, 3)).containsExactly(0x88, 0x00, 0x66);
    }

    @Test
    void misalignedOrOutOfRangeAccessesAreRejected() {
        assertThatThrownBy(() -> memory.read64(0x1004)).hasMessageContaining("not naturally aligned");
        assertThatThrownBy(() -> memory.write64(1L << 52, 0)).hasMessageContaining("52-bit");
        assertThatThrownBy(() -> memory.read32(-4)).hasMessageContaining("outside");
    }

    @Test
    void compareAndSetUpdatesOnlyTheExpectedValue() {
        memory.write64(0x2000, 5);
        assertThat(memory.compareAndSet(0x2000, 4, 9)).isFalse();
        assertThat(memory.compareAndSet(0x2000, 5, 9)).isTrue();
        assertThat(memory.read64(0x2000)).isEqualTo(9);
    }

    @Test
    void allocatorHandsOutZeroedAlignedBlocksUntilExhausted() {
        memory.write64(0x10_0000, -1);
        FrameAllocator frames = new FrameAllocator(memory, 0x10_0000, 0x3000);
        long a = frames.allocatePage();
        assertThat(a).isEqualTo(0x10_0000);
        assertThat(memory.read64(a)).isZero();
        long b = frames.allocate(64, 64);
        assertThat(b).isEqualTo(0x10_1000);
        assertThat(frames.allocatePage()).isEqualTo(0x10_2000);
        assertThatThrownBy(frames::allocatePage).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("exhausted");
    }
}
