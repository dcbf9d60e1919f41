package dev.faultline.examples.driver;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.testkit.group.RecordingFaultGroup;
import org.junit.jupiter.api.Test;

class DmaEngineFaultsTest {
    private static final DeviceId ENGINE = DeviceId.parse("0000:00:05.0");

    private final DmaEngineFaults driver = new DmaEngineFaults();

    @Test
    void answersItsPageRequestsInvalidOnceAndFlagsAReset() {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(ENGINE, Pasid.NONE, 7, 0x4000_1000L,
                Permissions.WRITE);

        driver.handle(group);

        assertThat(group.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(driver.faults()).isEqualTo(1);
        assertThat(driver.lastAddress()).isEqualTo(0x4000_1000L);
        assertThat(driver.takeReset()).isTrue();
        assertThat(driver.takeReset()).as("the flag clears once taken").isFalse();
    }

    @Test
    void countsAnUnrecoverableFaultWithoutAnsweringIt() {
        RecordingFaultGroup fault = RecordingFaultGroup.unrecoverable(
                UnrecoverableFault.at(ENGINE, 0xdead_0000L, Permissions.READ));

        driver.handle(fault);

        assertThat(fault.answers()).isEmpty();
        assertThat(driver.faults()).isEqualTo(1);
        assertThat(driver.lastAddress()).isEqualTo(0xdead_0000L);
        assertThat(driver.takeReset()).isTrue();
    }
}
