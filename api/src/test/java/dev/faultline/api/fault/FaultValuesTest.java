package dev.faultline.api.fault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class FaultValuesTest {
    private static final DeviceId DEV = PciRequesterId.parse("0000:00:03.0");

    @Test
    void rejectsPasidWiderThanTwentyBits() {
        assertThatThrownBy(() -> PageRequest.last(DEV, 1, 0x1000, Permissions.READ).withPasid(1 << 20, false))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("0x100000").hasMessageContaining("20-bit");
        assertThat(PageRequest.last(DEV, 1, 0x1000, Permissions.READ).withPasid(Pasid.MAX, true).pasid())
                .isEqualTo(0xfffff);
    }

    @Test
    void rejectsResponseThatNeedsAMissingPasid() {
        assertThatThrownBy(() -> new PageRequest(DEV, Pasid.NONE, 1, true, 0, Permissions.READ, 0, 0, true))
                .hasMessageContaining("needs a PASID");
    }

    @Test
    void rejectsNegativeGroupId() {
        assertThatThrownBy(() -> PageRequest.last(DEV, -1, 0, Permissions.READ))
                .hasMessageContaining("group id -1");
    }

    @Test
    void rejectsPermissionBitsOutsideTheFourDefined() {
        assertThatThrownBy(() -> Permissions.of(0x10)).hasMessageContaining("0x10");
        assertThat(Permissions.of(0b1011)).hasToString("rw-p");
        assertThat(Permissions.of(Permission.READ, Permission.EXEC)).isSameAs(Permissions.of(5));
        assertThat(Permissions.of(0xf).toSet()).containsExactly(Permission.values());
    }

    @Test
    void pageRequestFlagsUseLinuxBitValues() {
        PageRequest r = PageRequest.last(DEV, 7, 0x2000, Permissions.WRITE).withPasid(5, true);
        assertThat(r.flags()).isEqualTo(0b111);
        assertThat(r.withLastPage(false).flags()).isEqualTo(0b101);
    }

    @Test
    void unrecoverableFaultFlagsMustAgreeWithTheirFields() {
        assertThatThrownBy(() -> new UnrecoverableFault(DEV, 8, Pasid.NONE, Permissions.READ, 0, 0,
                HardwareRecord.NONE)).hasMessageContaining("bits outside");
        assertThatThrownBy(() -> new UnrecoverableFault(DEV, 0, 3, Permissions.READ, 0, 0, HardwareRecord.NONE))
                .hasMessageContaining("without PASID_VALID");
        assertThatThrownBy(() -> new UnrecoverableFault(DEV, UnrecoverableFault.PASID_VALID, Pasid.NONE,
                Permissions.READ, 0, 0, HardwareRecord.NONE)).hasMessageContaining("PASID_VALID set");
        assertThatThrownBy(() -> new UnrecoverableFault(DEV, 0, Pasid.NONE, Permissions.READ, 0x1000, 0,
                HardwareRecord.NONE)).hasMessageContaining("without ADDR_VALID");
        assertThatThrownBy(() -> new UnrecoverableFault(DEV, UnrecoverableFault.ADDR_VALID, Pasid.NONE,
                Permissions.READ, 0x1000, 0x80, HardwareRecord.NONE)).hasMessageContaining("FETCH_ADDR_VALID");
        UnrecoverableFault ok = UnrecoverableFault.at(DEV, 0x1000, Permissions.WRITE);
        assertThat(ok.addressValid()).isTrue();
        assertThat(ok.fetchAddressValid()).isFalse();
        assertThat(ok.recoverable()).isFalse();
    }

    @Test
    void groupMustEndWithItsOnlyLastPageRequest() {
        PageRequest partial = PageRequest.last(DEV, 4, 0x1000, Permissions.READ).withLastPage(false);
        PageRequest last = PageRequest.last(DEV, 4, 0x2000, Permissions.READ);
        assertThat(new PageRequestGroup(List.of(partial, last)).last()).isEqualTo(last);
        assertThatThrownBy(() -> new PageRequestGroup(List.of(last, partial)))
                .hasMessageContaining("must end with its last-page request");
        assertThatThrownBy(() -> new PageRequestGroup(List.of(last, last)))
                .hasMessageContaining("only the final one");
        assertThatThrownBy(() -> new PageRequestGroup(List.of()))
                .hasMessageContaining("at least");
    }

    @Test
    void groupRejectsMixedDevicesAndGroupIds() {
        PageRequest last = PageRequest.last(DEV, 4, 0x2000, Permissions.READ);
        PageRequest otherGroup = PageRequest.last(DEV, 5, 0x1000, Permissions.READ).withLastPage(false);
        PageRequest otherDevice = PageRequest.last(new StreamId(9), 4, 0x1000, Permissions.READ).withLastPage(false);
        assertThatThrownBy(() -> new PageRequestGroup(List.of(otherGroup, last))).hasMessageContaining("group id 5");
        assertThatThrownBy(() -> new PageRequestGroup(List.of(otherDevice, last))).hasMessageContaining("sid:0x9");
    }

    @Test
    void deviceIdsRoundTripThroughTheirCanonicalText() {
        for (String text : List.of("0001:02:1f.7", "sid:0x20600", "platform:remoteproc0")) {
            assertThat(DeviceId.parse(text)).hasToString(text);
        }
        assertThat(DeviceId.parse("pci:00:03.0")).isEqualTo(new PciRequesterId(0, 0, 3, 0));
        assertThat(PciRequesterId.ofRid(0, 0x6a08).toString()).isEqualTo("0000:6a:01.0");
        assertThat(new PciRequesterId(0, 0x6a, 1, 0).rid()).isEqualTo(0x6a08);
        assertThat(StreamId.parse("sid:0xffffffff").value()).isEqualTo(-1);
    }

    @Test
    void malformedDeviceIdsNameTheExpectedForms() {
        assertThatThrownBy(() -> DeviceId.parse("00:20.0")).hasMessageContaining("device 0x20");
        assertThatThrownBy(() -> DeviceId.parse("gpu")).hasMessageContaining("expected ssss:bb:dd.f");
        assertThatThrownBy(() -> DeviceId.parse("sid:0x1ffffffff")).hasMessageContaining("32 bits");
        assertThatThrownBy(() -> DeviceId.parse("platform:a b")).hasMessageContaining("white space");
    }

    @Test
    void responseCodesCarryLinuxValues() {
        assertThat(ResponseCode.ofValue(0)).isEqualTo(ResponseCode.SUCCESS);
        assertThat(ResponseCode.ofValue(2)).isEqualTo(ResponseCode.FAILURE);
        assertThatThrownBy(() -> ResponseCode.ofValue(3)).hasMessageContaining("no page response code 3");
    }

    @Test
    void hardwareRecordIsACopy() {
        long[] words = {1, 2};
        HardwareRecord r = HardwareRecord.of("smmuv3-event", words);
        words[0] = 9;
        assertThat(r.word(0)).isEqualTo(1);
        assertThat(r).isEqualTo(HardwareRecord.of("smmuv3-event", 1, 2));
        assertThatThrownBy(() -> HardwareRecord.of(" ")).hasMessageContaining("format");
    }
}
