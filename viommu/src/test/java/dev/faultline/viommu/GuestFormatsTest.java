package dev.faultline.viommu;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The byte layouts a guest reads: virtio-iommu fault events, iommufd page faults, vEVENTQ records. */
class GuestFormatsTest {

    @Test
    void encodesAndParsesTheTv71VirtioFault() {
        byte[] tv71 = HexFormat.of().parseHex("02000000" + "03010000" + "10000000" + "00000000" + "00d0ff1200000000");
        VirtioIommuFault fault = VirtioIommuFault.parse(tv71);
        assertThat(fault).isEqualTo(new VirtioIommuFault(VirtioIommuFault.REASON_MAPPING,
                VirtioIommuFault.FLAG_READ | VirtioIommuFault.FLAG_WRITE | VirtioIommuFault.FLAG_ADDRESS, 16,
                0x12ffd000L));
        assertThat(fault.toBytes()).containsExactly(tv71);
        assertThat(fault.linuxMessage()).isEqualTo("page fault from EP 16 at 0x12ffd000 [RW]");
    }

    @Test
    void printsTheAddresslessAndUnknownFormsAsLinuxDoes() {
        assertThat(new VirtioIommuFault(VirtioIommuFault.REASON_DOMAIN, 0, 7, 0).linuxMessage())
                .isEqualTo("domain fault from EP 7");
        assertThat(new VirtioIommuFault(9, VirtioIommuFault.FLAG_EXEC | VirtioIommuFault.FLAG_ADDRESS, -1, 0x1000)
                .linuxMessage()).isEqualTo("unknown fault from EP 4294967295 at 0x1000 [X]");
        assertThatThrownBy(() -> VirtioIommuFault.parse(new byte[32]))
                .hasMessage("invalid event buffer (len 32 != 24)");
    }

    @Test
    void theUnrecoverableEventsPermissionOnlyMessageCarriesReasonClassFlagsEndpointAndAddress() {
        UnrecoverableEvent event = new UnrecoverableEvent(3, 0x81, 5,
                Permissions.of(Permission.WRITE, Permission.PRIV), true, 0xdead000, ArmStage1Fault.PERMISSION,
                HardwareRecord.NONE);
        assertThat(event.virtioFault()).isEqualTo(new VirtioIommuFault(VirtioIommuFault.REASON_MAPPING,
                VirtioIommuFault.FLAG_WRITE | VirtioIommuFault.FLAG_ADDRESS, 0x81, 0xdead000));
        UnrecoverableEvent noContext = new UnrecoverableEvent(4, 2, Pasid.NONE, Permissions.READ, false, 0,
                UnresolvedFault.NO_STAGE1_CONTEXT, HardwareRecord.NONE);
        assertThat(noContext.virtioFault().linuxMessage()).isEqualTo("domain fault from EP 2");
    }

    @Test
    void anUnrecoverableEventsBytesAreTheHeaderThenTheVirtualRecord() {
        UnrecoverableEvent event = new UnrecoverableEvent(0x01020304, 1, Pasid.NONE, Permissions.READ, true, 0x1000,
                ArmStage1Fault.TRANSLATION, HardwareRecord.of("smmuv3-event", 0x10 | (1L << 32), 1L << 35, 0x1000, 0));
        ByteBuffer b = ByteBuffer.wrap(event.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.capacity()).isEqualTo(8 + 32);
        assertThat(b.getInt(0)).isZero();
        assertThat(b.getInt(4)).isEqualTo(0x01020304);
        assertThat(b.getLong(8)).isEqualTo(0x10 | (1L << 32));
        assertThat(b.getLong(24)).isEqualTo(0x1000);
    }

    @Test
    void aPageRequestEventIsOneIommuHwptPgfaultPerRequestWithTheSameCookie() {
        PageRequestEvent event = new PageRequestEvent(9, 77, 0x81, List.of(
                new PageRequestEvent.Request(5, 3, false, Permissions.READ, 0x7000),
                new PageRequestEvent.Request(5, 3, true, Permissions.of(Permission.WRITE, Permission.PRIV), 0x8000)));
        ByteBuffer b = ByteBuffer.wrap(event.toBytes()).order(ByteOrder.LITTLE_ENDIAN);
        assertThat(b.capacity()).isEqualTo(8 + 2 * 40);
        assertThat(b.getInt(4)).isEqualTo(9);
        int second = 8 + 40;
        assertThat(b.getInt(second)).as("PASID_VALID | LAST_PAGE").isEqualTo(3);
        assertThat(b.getInt(second + 4)).as("dev_id").isEqualTo(0x81);
        assertThat(b.getInt(second + 8)).isEqualTo(5);
        assertThat(b.getInt(second + 12)).as("grpid").isEqualTo(3);
        assertThat(b.getInt(second + 16)).as("perm W|PRIV").isEqualTo(0b1010);
        assertThat(b.getLong(second + 24)).isEqualTo(0x8000);
        assertThat(b.getInt(second + 32)).as("length").isZero();
        assertThat(b.getInt(second + 36)).as("cookie").isEqualTo(77);
        assertThat(b.getInt(8 + 36)).isEqualTo(77);
        assertThat(b.getInt(8)).as("PASID_VALID only").isEqualTo(1);
        assertThat(event.last().address()).isEqualTo(0x8000);
    }

    @Test
    void rejectsEventsNoQueueWouldHold() {
        assertThatThrownBy(() -> new PageRequestEvent(0, 0, 1, List.of(
                new PageRequestEvent.Request(Pasid.NONE, 1, true, Permissions.READ, 0))))
                .hasMessageContaining("cookie");
        assertThatThrownBy(() -> new LostEvents(1, 0)).hasMessageContaining("count");
        assertThatThrownBy(() -> new UnrecoverableEvent(0, 1, Pasid.NONE, Permissions.READ, false, 0x1000,
                UnresolvedFault.NO_ADDRESS, HardwareRecord.NONE)).hasMessageContaining("invalid");
    }

    @Test
    void derivedReasonsMapToTheirArchitectureCodesAndVirtioClasses() {
        assertThat(ArmStage1Fault.ofEventId(0x12)).contains(ArmStage1Fault.ACCESS_FLAG);
        assertThat(ArmStage1Fault.ofEventId(0x04)).isEmpty();
        assertThat(FirstLevelFault.ofCode(0x81)).contains(FirstLevelFault.USER_ACCESS_DENIED);
        assertThat(FirstLevelFault.ofCode(0x05)).isEmpty();
        assertThat(ArmStage1Fault.WALK_EXTERNAL_ABORT.virtioReason()).isEqualTo(VirtioIommuFault.REASON_UNKNOWN);
        assertThat(UnresolvedFault.NO_STAGE1_CONTEXT.code()).isEqualTo(-1);
    }

    @Test
    void limitsRejectOutOfRangeValuesByName() {
        assertThatThrownBy(() -> GuestLimits.DEFAULT.withEventQueueDepth(0)).hasMessage(
                "event queue depth 0 must be at least 1");
        assertThatThrownBy(() -> GuestLimits.DEFAULT.withRate(-1, 1)).hasMessageContaining("events per second");
        assertThat(GuestLimits.DEFAULT.withMaxPendingGroups(3).withResponseTimeoutMs(50))
                .isEqualTo(new GuestLimits(256, 3, 10_000, 256, 50));
    }
}
