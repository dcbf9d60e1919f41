package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.FirstLevelFault;
import dev.faultline.viommu.UnresolvedFault;
import org.junit.jupiter.api.Test;

/**
 * The records a guest's own driver parses; they are read back here with the platform's record codecs, which
 * decode as Linux does (IHI 0070 §7.3, VT-d FRCD).
 */
class VirtualRecordsTest {
    private static final Permissions PRIV_FETCH = Permissions.of(Permission.READ, Permission.EXEC, Permission.PRIV);

    @Test
    void rewritesTheStreamIdOfAHostEventAndKeepsEverythingElse() {
        long[] host = new EventRecord(0x10, true, 5, 0x4242, 0, false, false, false, true, false,
                EventRecord.CLASS_IN, false, 0x7f1234567abcL, 0).encode();
        HardwareRecord guest = VirtualRecords.raw(HardwareRecord.of("smmuv3-event", host), null, 0x81, 5,
                Permissions.READ, true, 0x7f1234567abcL, ArmStage1Fault.TRANSLATION, -1);
        EventRecord parsed = EventRecord.decode(guest.words());
        assertThat(parsed.sid()).isEqualTo(0x81);
        assertThat(parsed.withSid(0x4242).encode()).containsExactly(host);
    }

    @Test
    void neverPassesAHostPhysicalFetchAddressToTheGuest() {
        long[] host = {0x0b | (0x4242L << 32), EventRecord.EVTQ_1_RNW | (1L << 40), 0x1000,
            0x0000_0008_1234_5678L & ~7L};
        HardwareRecord withoutWalk = VirtualRecords.raw(HardwareRecord.of("smmuv3-event", host), null, 1,
                Pasid.NONE, Permissions.READ, true, 0x1000, ArmStage1Fault.WALK_EXTERNAL_ABORT, -1);
        assertThat(withoutWalk.word(3)).isZero();
        HardwareRecord withWalk = VirtualRecords.raw(HardwareRecord.of("smmuv3-event", host), null, 1,
                Pasid.NONE, Permissions.READ, true, 0x1000, ArmStage1Fault.WALK_EXTERNAL_ABORT, 0x400_0008L);
        assertThat(EventRecord.decode(withWalk.words()).fetchAddress()).as("the descriptor's guest address")
                .isEqualTo(0x400_0008L);
    }

    @Test
    void makesAStage1EventFromTheDerivedReasonWhenTheHostGaveNone() {
        HardwareRecord made = VirtualRecords.permissionsOnly(null, 0x81, 0x2a, PRIV_FETCH, true,
                0x7f00_0040_2000L, ArmStage1Fault.PERMISSION, 0x1234_5678);
        EventRecord parsed = EventRecord.decode(made.words());
        assertThat(made.format()).isEqualTo(EventRecord.FORMAT);
        assertThat(parsed.id()).isEqualTo(0x13);
        assertThat(parsed.sid()).isEqualTo(0x81);
        assertThat(parsed.ssv()).isTrue();
        assertThat(parsed.ssid()).isEqualTo(0x2a);
        assertThat(parsed.privileged()).isTrue();
        assertThat(parsed.instruction()).isTrue();
        assertThat(parsed.read()).isTrue();
        assertThat(parsed.s2()).isFalse();
        assertThat(parsed.stall()).isFalse();
        assertThat(parsed.faultClass()).isEqualTo(EventRecord.CLASS_IN);
        assertThat(parsed.inputAddress()).isEqualTo(0x7f00_0040_2000L);
        assertThat(made.word(3)).as("IPA unknown for a stage-1 fault").isZero();

        EventRecord abort = EventRecord.decode(VirtualRecords.permissionsOnly(null, 3, Pasid.NONE,
                Permissions.WRITE, true, 0x5000, ArmStage1Fault.WALK_EXTERNAL_ABORT, 0x400_0010L).words());
        assertThat(abort.id()).isEqualTo(0x0b);
        assertThat(abort.ssv()).isFalse();
        assertThat(abort.read()).isFalse();
        assertThat(abort.faultClass()).isEqualTo(EventRecord.CLASS_TT);
        assertThat(abort.fetchAddress()).isEqualTo(0x400_0010L);
    }

    @Test
    void rewritesTheSourceIdOfAHostFaultRecordAsTv34() {
        HardwareRecord host = HardwareRecord.of("vtd-frcd", 0x00007fffdeadb000L, 0xc000017180000300L);
        HardwareRecord guest = VirtualRecords.raw(host, null, 0x0010, 1, Permissions.READ, true, 0x7fffdeadb000L,
                FirstLevelFault.NOT_PRESENT, -1);
        FaultRecord parsed = FaultRecord.decode(guest.word(0), guest.word(1));
        assertThat(parsed.sourceId()).isEqualTo(0x0010);
        assertThat(guest.word(1)).isEqualTo(0xc000017180000010L);
        assertThat(parsed.message()).contains("Request device [00:02.0]").contains("[fault reason 0x71]");
    }

    @Test
    void makesTheTv34FaultRecordFromTheDerivedReasonWhenTheHostGaveNone() {
        HardwareRecord made = VirtualRecords.permissionsOnly(null, 0x0300, 1, Permissions.READ, true,
                0x7fffdeadb123L, FirstLevelFault.NOT_PRESENT, -1);
        assertThat(made.words()).containsExactly(0x00007fffdeadb000L, 0xc000017180000300L);
        HardwareRecord write = VirtualRecords.permissionsOnly(null, 0x0300, 0x2a, Permissions.WRITE, true,
                0x7f0000402000L, FirstLevelFault.WRITE_DENIED, -1);
        assertThat(write.words()).as("FRCD, read-only page").containsExactly(0x00007f0000402000L, 0x80002a8580000300L);
        assertThat(FaultRecord.decode(write.word(0), write.word(1)).message()).isEqualTo("[DMA Write PASID 0x2a]"
                + " Request device [03:00.0] fault addr 0x7f0000402000 [fault reason 0x85] SM: No write permission"
                + " for Write/AtomicOp request");
    }

    @Test
    void givesNoRecordWhenNoneCanNameTheVirtualDevice() {
        assertThat(VirtualRecords.raw(HardwareRecord.of("vtd-frcd", 0, 0x80000000_00000000L), null, 0x1_0000,
                Pasid.NONE, Permissions.READ, true, 0, FirstLevelFault.NOT_PRESENT, -1)).isEqualTo(HardwareRecord.NONE);
        assertThat(VirtualRecords.permissionsOnly(null, 1, Pasid.NONE, Permissions.READ, true, 0,
                UnresolvedFault.NO_STAGE1_CONTEXT, -1)).isEqualTo(HardwareRecord.NONE);
        assertThat(VirtualRecords.raw(HardwareRecord.of("amd-event", 1, 2), null, 1, Pasid.NONE, Permissions.READ,
                true, 0, UnresolvedFault.WALK_SUCCEEDS, -1)).isEqualTo(HardwareRecord.NONE);
    }

    @Test
    void aWalkThatNowSucceedsIsRecordedAsTheArchitecturesTranslationFault() {
        EventRecord arm = EventRecord.decode(VirtualRecords.permissionsOnly(ArmStage1Context.linux(0x1000), 7, 2,
                Permissions.WRITE, true, 0x5000, UnresolvedFault.WALK_SUCCEEDS, -1).words());
        assertThat(arm.id()).as("F_TRANSLATION").isEqualTo(0x10);
        assertThat(arm.sid()).isEqualTo(7);
        assertThat(arm.ssid()).isEqualTo(2);
        assertThat(arm.read()).isFalse();
        assertThat(arm.inputAddress()).isEqualTo(0x5000);
        HardwareRecord vtd = VirtualRecords.permissionsOnly(FirstLevelContext.user(0x1000), 0x0300, Pasid.NONE,
                Permissions.READ, true, 0x5000, UnresolvedFault.WALK_SUCCEEDS, -1);
        assertThat(FaultRecord.decode(vtd.word(0), vtd.word(1)).reasonCode()).isEqualTo(0x71);
        assertThat(VirtualRecords.permissionsOnly(ArmStage1Context.linux(0x1000), 7, 2, Permissions.READ, false, 0,
                UnresolvedFault.NO_ADDRESS, -1)).as("nothing to name").isEqualTo(HardwareRecord.NONE);
    }

    @Test
    void readsTheReasonCodeAHostRecordReports() {
        assertThat(VirtualRecords.hostCode(HardwareRecord.of("smmuv3-event", 0x4242_0000_0012L, 0, 0, 0)))
                .isEqualTo(0x12);
        assertThat(VirtualRecords.hostCode(HardwareRecord.of("vtd-frcd", 0, 0xc000017180000300L))).isEqualTo(0x71);
        assertThat(VirtualRecords.hostCode(HardwareRecord.NONE)).isEqualTo(-1);
        assertThat(VirtualRecords.hostCode(HardwareRecord.of("smmuv3-event", 1, 2))).as("wrong size").isEqualTo(-1);
    }
}
