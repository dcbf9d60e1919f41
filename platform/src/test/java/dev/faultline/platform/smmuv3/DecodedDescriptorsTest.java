package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.memory.PhysicalMemory;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Remembering decoded descriptors never hides a change to memory: what is translated is what memory holds. */
class DecodedDescriptorsTest {
    private final PhysicalMemory memory = new PhysicalMemory();
    private final AtomicInteger decodes = new AtomicInteger();
    private final DecodedDescriptors<StreamTableEntry> entries = new DecodedDescriptors<>(4, d -> {
        decodes.incrementAndGet();
        return StreamTableEntry.decode(d);
    });

    @Test
    void anUnchangedDescriptorIsDecodedOnceAndAnyChangedWordDecodesAfresh() {
        long at = 0x8000;
        memory.write64(at, 1); // V = 1, Config = abort
        StreamTableEntry first = entries.read(memory, at);
        assertThat(entries.read(memory, at)).isSameAs(first);
        assertThat(decodes).hasValue(1);

        for (int word = 0; word < 4; word++) {
            memory.write64(at + 8L * word, memory.read64(at + 8L * word) ^ (1L << 40));
            StreamTableEntry changed = entries.read(memory, at);
            assertThat(changed).as("after a change to doubleword %d", word).isEqualTo(StreamTableEntry.decode(
                    new long[] {memory.read64(at), memory.read64(at + 8), memory.read64(at + 16), memory.read64(at + 24)}));
            assertThat(decodes).hasValue(2 + word);
        }
    }

    @Test
    void descriptorsAtAddressesSharingASlotAreNeverConfused() {
        // with 4 slots, these entries collide; each read must still return its own address's descriptor
        long a = 0x10000;
        long b = a + 4 * StreamTableEntry.BYTES;
        memory.write64(a, 1);
        memory.write64(b, 1 | 4L << 1); // V = 1, Config = 0b100: bypass
        for (int round = 0; round < 3; round++) {
            assertThat(entries.read(memory, a).config()).isEqualTo(StreamTableEntry.decode(new long[] {1, 0, 0, 0}).config());
            assertThat(entries.read(memory, b).config()).isEqualTo(StreamTableEntry.decode(new long[] {1 | 4L << 1, 0, 0, 0}).config());
        }
    }
}
