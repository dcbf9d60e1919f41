package dev.faultline.drivers.msm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class GpuValuesTest {

    @ParameterizedTest
    @CsvSource({"0,0,CP", "4,0,CCU", "6,0,CDP Prefetch", "7,0,GMU", "1,5,UCHE", "2,0,TP", "2,3,TP|VFD",
        "3,0,VFD", "3,1,SP", "3,6,LRZ", "3,7,UCHE", "9,0,UNKNOWN"})
    void namesBlocksAsA6xxDoes(int mid, int client, String name) {
        assertThat(new GpuBlock(mid, client).name()).isEqualTo(name);
    }

    @Test
    void rejectsUnalignedAccessesAndUnknownScratchRegisters() {
        assertThatThrownBy(() -> GpuCommand.read(GpuBlock.CP, 0x1004)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> GpuCommand.scratch(8, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new GpuBlock(256, 0)).isInstanceOf(IllegalArgumentException.class);
        assertThat(GpuCommand.scratch(4, -1).value()).isEqualTo(0xffff_ffffL);
    }
}
