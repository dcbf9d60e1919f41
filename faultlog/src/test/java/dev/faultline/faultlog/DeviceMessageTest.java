package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A {@code dev_printk} line names its driver and device with printable characters only: a line whose "device" holds a
 * control character or a Unicode separator is not a device message, so no device name that the API would refuse
 * (white space, by {@link Character#isWhitespace}) reaches a decoded fault or a replay.
 */
class DeviceMessageTest {
    @Test
    void aDeviceMessageIsSplitIntoDriverDeviceAndMessage() {
        DeviceMessage m = DeviceMessage.parse("arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x408");

        assertThat(m).isNotNull();
        assertThat(m.driver()).isEqualTo("arm-smmu");
        assertThat(m.device()).isEqualTo("15000000.iommu");
        assertThat(m.message()).isEqualTo("Unhandled context fault: fsr=0x408");
    }

    @Test
    void aNameWithAControlCharacterOrASeparatorIsNotADeviceName() {
        for (String odd : List.of("\u001f", "\u001c", "\u0085", "\u00a0", "\u2028", "\u3000", "\u0000")) {
            assertThat(DeviceMessage.parse("arm-smmu 15000000.iom" + odd + "mu: Unhandled context fault"))
                    .as("device name with U+%04X", (int) odd.charAt(0)).isNull();
            assertThat(DeviceMessage.parse("arm" + odd + "smmu 15000000.iommu: Unhandled context fault"))
                    .as("driver name with U+%04X", (int) odd.charAt(0)).isNull();
        }
    }
}
