package dev.faultline.platform.arm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Hand-computed vectors: index split, IAS 40 concatenation, {@code arm_lpae_prot_to_pte}'s descriptors. */
class DescriptorTest {

    @Test
    void stage1PageEncodingsMatchIoPgtableArm() {
        assertThat(Descriptor.leaf(Stage.STAGE1, 3, 0x8_1234_5000L, Protection.READ_WRITE))
                .isEqualTo(0x0000_0008_1234_5f47L);
        assertThat(Descriptor.leaf(Stage.STAGE1, 3, 0x8_1234_5000L, Protection.READ_WRITE | Protection.NOEXEC))
                .isEqualTo(0x0060_0008_1234_5f47L);
        assertThat(Descriptor.leaf(Stage.STAGE1, 3, 0x8_1234_5000L,
                Protection.READ | Protection.PRIV | Protection.CACHE)).isEqualTo(0x0000_0008_1234_5f87L);
    }

    @Test
    void stage2PageTableAndBlockEncodingsMatchIoPgtableArm() {
        assertThat(Descriptor.leaf(Stage.STAGE2, 3, 0x8_1234_5000L, Protection.READ_WRITE))
                .isEqualTo(0x0000_0008_1234_57ffL);
        assertThat(Descriptor.table(0x8_0000_1000L)).isEqualTo(0x0000_0008_0000_1003L);
        assertThat(Descriptor.leaf(Stage.STAGE1, 2, 0x8020_0000L, Protection.READ_WRITE))
                .isEqualTo(0x0000_0000_8020_0f45L);
    }

    @Test
    void levelShiftsSplitTv21() {
        long va = 0x0000_7f12_3456_7abcL;
        assertThat((va >>> Descriptor.levelShift(0)) & 0x1ff).isEqualTo(0xfe);
        assertThat((va >>> Descriptor.levelShift(1)) & 0x1ff).isEqualTo(0x048);
        assertThat((va >>> Descriptor.levelShift(2)) & 0x1ff).isEqualTo(0x1a2);
        assertThat((va >>> Descriptor.levelShift(3)) & 0x1ff).isEqualTo(0x167);
    }

    @Test
    void startLevelsFollowTheInputSize() {
        assertThat(WalkParameters.stage1StartLevel(48)).isZero();
        assertThat(WalkParameters.stage1StartLevel(40)).isZero();
        assertThat(WalkParameters.stage1StartLevel(39)).isEqualTo(1);
        assertThat(WalkParameters.stage1StartLevel(32)).isEqualTo(1);
        assertThat(WalkParameters.stage1StartLevel(30)).isEqualTo(2);
        assertThat(WalkParameters.stage2StartLevel(0)).isEqualTo(2);
        assertThat(WalkParameters.stage2StartLevel(1)).isEqualTo(1);
        assertThat(WalkParameters.stage2StartLevel(2)).isZero();
        assertThatThrownBy(() -> WalkParameters.stage2StartLevel(3)).hasMessageContaining("reserved");
    }

    @Test
    void illegalWalkConfigurationsAreRejected() {
        assertThatThrownBy(() -> WalkParameters.stage2(0x1000, 48, 2, 40)).hasMessageContaining("cannot start");
        assertThatThrownBy(() -> WalkParameters.stage2(0x1000, 44, 1, 40)).hasMessageContaining("cannot start");
        assertThatThrownBy(() -> WalkParameters.stage1(0x1008, 48, 40)).hasMessageContaining("aligned");
        assertThatThrownBy(() -> WalkParameters.outputBitsOf(7)).hasMessageContaining("reserved");
        assertThat(WalkParameters.outputBitsOf(5)).isEqualTo(48);
    }
}
