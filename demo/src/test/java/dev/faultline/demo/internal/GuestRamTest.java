package dev.faultline.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import org.junit.jupiter.api.Test;

class GuestRamTest {
    private final PhysicalMemory memory = new PhysicalMemory();
    private final FrameAllocator host = new FrameAllocator(memory, 0x4000_0000L, 0x100_0000L);

    @Test
    void isABlockOfHostMemoryAtTheSameAddressesAlignedToItsSize() {
        host.allocatePage();
        GuestRam ram = new GuestRam(host, 1L << 20);

        assertThat(ram.base() & ((1L << 20) - 1)).isZero();
        long page = ram.frames().allocatePage();
        assertThat(page).isBetween(ram.base(), ram.base() + ram.size() - 0x1000);
        ram.write64(page + 8, 0x1234);
        assertThat(memory.read64(page + 8)).isEqualTo(0x1234);
        assertThat(ram.read64(page + 8)).isEqualTo(0x1234);
        assertThat(host.allocatePage()).as("the host allocates past the guest's block")
                .isGreaterThanOrEqualTo(ram.base() + ram.size());
    }

    @Test
    void nothingOutsideTheBlockIsGuestRam() {
        GuestRam ram = new GuestRam(host, 1L << 20);

        assertThat(ram.contains(ram.base())).isTrue();
        assertThat(ram.contains(ram.base() + ram.size() - 8)).isTrue();
        assertThat(ram.contains(ram.base() + ram.size() - 4)).isFalse();
        assertThat(ram.contains(ram.base() - 8)).isFalse();
        assertThat(ram.contains(ram.base() + ram.size())).isFalse();
        assertThatThrownBy(() -> ram.read64(ram.base() + ram.size())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ram.read64(ram.base() + 4)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ram.write64(ram.base() - 8, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
