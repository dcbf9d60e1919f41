package dev.faultline.platform.dma;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DmaWorkloadTest {

    private static List<DmaAccess> list(DmaWorkload w) {
        List<DmaAccess> out = new ArrayList<>();
        w.forEach(out::add);
        return out;
    }

    @Test
    void sameSeedGivesTheSameAccesses() {
        DmaWorkload.Builder b = DmaWorkload.builder(0x42).region(0x4000_0000L, 1 << 16).pasids(1, 2, 3)
                .mix(50, 40, 10).privileged(20).pattern(DmaWorkload.Pattern.RANDOM).count(500).seed(99);
        assertThat(list(b.build())).isEqualTo(list(b.build())).hasSize(500);
        assertThat(list(b.seed(100).build())).isNotEqualTo(list(b.seed(99).build()));
    }

    @Test
    void accessesStayInTheRegionAndFollowTheMix() {
        List<DmaAccess> all = list(DmaWorkload.builder(1).region(0x10000, 0x4000).size(64).mix(60, 30, 10)
                .pattern(DmaWorkload.Pattern.RANDOM).count(2000).seed(3).build());
        assertThat(all).allMatch(a -> a.address() >= 0x10000 && a.address() + a.size() <= 0x14000);
        long writes = all.stream().filter(a -> a.type() == AccessType.WRITE).count();
        assertThat(writes).isBetween(450L, 750L);
        assertThat(all).anyMatch(a -> a.type() == AccessType.INSTRUCTION_FETCH);
    }

    @Test
    void pageStrideTouchesEveryPageInTurn() {
        List<DmaAccess> all = list(DmaWorkload.builder(1).region(0x10000, 0x3000)
                .pattern(DmaWorkload.Pattern.PAGE_STRIDE).count(4).build());
        assertThat(all).extracting(DmaAccess::address).containsExactly(0x10000L, 0x11000L, 0x12000L, 0x10000L);
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> DmaWorkload.builder(1).mix(50, 50, 1)).hasMessageContaining("sum to 100");
        assertThatThrownBy(() -> DmaWorkload.builder(1).size(3)).hasMessageContaining("power of two");
        assertThatThrownBy(() -> DmaWorkload.builder(1).region(0x10, 0x1000)).hasMessageContaining("aligned");
    }
}
