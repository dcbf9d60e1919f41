package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.FieldsFunction;
import dev.faultline.platform.dma.PrgResponseMessage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The invalidation queue: page group responses, wait descriptors, errors and wrap (VT-d invalidation descriptors). */
class InvalidationQueueTest {
    private static final int RID = 0x0300;

    private final UnitFixture fixture = new UnitFixture(8);
    private final RemappingUnit unit = fixture.unit;

    @Test
    void sendsPageGroupResponsesToTheDeviceWithTheirRawCode() {
        unit.connect(RID, fixture.responses::add);
        for (int code : new int[] {PageGroupResponse.SUCCESS, PageGroupResponse.INVALID, PageGroupResponse.FAILURE, 2}) {
            PageGroupResponse response = new PageGroupResponse(RID, true, 5, code, true, 0x12, 0, 0);
            fixture.submit(response.qw0(), response.qw1());
        }
        PageGroupResponse pasidless = new PageGroupResponse(RID, false, 0, 0, true, 3, 0, 0);
        fixture.submit(pasidless.qw0(), pasidless.qw1());
        assertThat(fixture.responses).containsExactly(new PrgResponseMessage(RID, 5, 0x12, 0x0),
                new PrgResponseMessage(RID, 5, 0x12, 0x1), new PrgResponseMessage(RID, 5, 0x12, 0xf),
                new PrgResponseMessage(RID, 5, 0x12, 0x2), new PrgResponseMessage(RID, Pasid.NONE, 3, 0));
        assertThat(unit.read64(RegisterMap.IQH)).isEqualTo(unit.read64(RegisterMap.IQT)).isEqualTo(5 * 32);
        assertThat(unit.counters().responsesSent()).isEqualTo(5);
    }

    @Test
    void aFunctionTakingFieldsGetsExactlyWhatTheRecordWouldCarry() {
        FieldsFunction function = new FieldsFunction();
        unit.connect(RID, function);
        List<PrgResponseMessage> expected = new ArrayList<>();
        long[] descriptors = new long[2 * 40]; // more than the unit's first ring holds, all in one IQT write
        for (int i = 0; i < 40; i++) {
            int code = i & 0xf;
            PageGroupResponse response = new PageGroupResponse(RID, i % 2 == 0, 0xf_ffff - i, code, true, 0x1ff - i,
                    0, 0);
            descriptors[2 * i] = response.qw0();
            descriptors[2 * i + 1] = response.qw1();
            expected.add(new PrgResponseMessage(RID, response.pasidPresent() ? response.pasid() : Pasid.NONE,
                    response.groupIndex(), code));
        }
        fixture.submit(descriptors);
        assertThat(function.fields).containsExactlyElementsOf(expected);
        assertThat(function.records).as("the record method is not called").isZero();
    }

    @Test
    void aRequesterIdWiderThan16BitsIsRefused() {
        assertThatThrownBy(() -> unit.connect(0x1_0300, fixture.responses::add))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("0x10300");
        assertThatThrownBy(() -> unit.disconnect(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void writesTheWaitStatusAndSetsIwcWithTheInterruptFlag() {
        InvalidationWait wait = InvalidationWait.statusWrite(fixture.statusWord, true);
        fixture.submit(wait.qw0(), wait.qw1());
        assertThat(fixture.memory.read32(fixture.statusWord)).isEqualTo(InvalidationWait.QI_DONE);
        assertThat(unit.read32(RegisterMap.ICS)).isZero();
        InvalidationWait interrupting = new InvalidationWait(true, false, false, false, 0, 0);
        fixture.submit(interrupting.qw0(), interrupting.qw1());
        assertThat(unit.read32(RegisterMap.ICS)).isEqualTo(RegisterMap.ICS_IWC);
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.INVALIDATION_EVENT);
        unit.write32(RegisterMap.ICS, RegisterMap.ICS_IWC);
        assertThat(unit.read32(RegisterMap.ICS)).isZero();
    }

    @Test
    void completesCacheInvalidationsAtOnce() {
        InvalidationWait wait = InvalidationWait.statusWrite(fixture.statusWord, false);
        fixture.submit(0x7 | 1L << 4, 0, 0x6, 0, 0x1 | 1L << 4, 0, wait.qw0(), wait.qw1());
        assertThat(fixture.memory.read32(fixture.statusWord)).isEqualTo(InvalidationWait.QI_DONE);
        assertThat(fixture.faultStatus().invalidationQueueError()).isFalse();
    }

    @Test
    void stopsAtABadDescriptorUntilSoftwareClearsIqe() {
        unit.connect(RID, fixture.responses::add);
        PageGroupResponse response = new PageGroupResponse(RID, true, 5, 0, true, 1, 0, 0);
        InvalidationWait wait = InvalidationWait.statusWrite(fixture.statusWord, false);
        fixture.submit(0xb, 0, response.qw0(), response.qw1(), wait.qw0(), wait.qw1());
        assertThat(fixture.faultStatus().invalidationQueueError()).isTrue();
        assertThat(unit.read64(RegisterMap.IQH)).isZero();
        assertThat(fixture.responses).isEmpty();
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.FAULT_EVENT);
        // what Linux's qi_check_fault does: overwrite the bad descriptor, then clear IQE
        fixture.memory.write64(fixture.invalidationQueue, 0x7);
        unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_IQE);
        assertThat(fixture.responses).hasSize(1);
        assertThat(fixture.memory.read32(fixture.statusWord)).isEqualTo(InvalidationWait.QI_DONE);
        assertThat(unit.counters().invalidationErrors()).isEqualTo(1);
    }

    @Test
    void rejectsPageGroupResponsesWithReservedBits() {
        PageGroupResponse response = new PageGroupResponse(RID, true, 5, 0, true, 1, 0, 0);
        fixture.submit(response.qw0() | 1L << 60, response.qw1());
        assertThat(fixture.faultStatus().invalidationQueueError()).isTrue();
    }

    @Test
    void rejectsATailThatIsNotOnADescriptorBoundary() {
        unit.write64(RegisterMap.IQT, 0x10);
        assertThat(fixture.faultStatus().invalidationQueueError()).isTrue();
    }

    @Test
    void wrapsAroundTheQueue() {
        InvalidationWait wait = InvalidationWait.statusWrite(fixture.statusWord, false);
        for (int i = 0; i < 300; i++) {
            fixture.memory.write32(fixture.statusWord, 0);
            fixture.submit(wait.qw0(), wait.qw1());
            assertThat(fixture.memory.read32(fixture.statusWord)).isEqualTo(InvalidationWait.QI_DONE);
        }
        assertThat(unit.read64(RegisterMap.IQH)).isEqualTo((300 * 32) % 8192);
    }

    @Test
    void countsResponsesForDevicesThatAreNotConnected() {
        PageGroupResponse response = new PageGroupResponse(0x0400, false, 0, 0, true, 1, 0, 0);
        fixture.submit(response.qw0(), response.qw1());
        assertThat(unit.counters().responsesUndeliverable()).isEqualTo(1);
    }

    @Test
    void holdsDescriptorsWhileQueuedInvalidationIsDisabled() {
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_TE);
        InvalidationWait wait = InvalidationWait.statusWrite(fixture.statusWord, false);
        fixture.submit(wait.qw0(), wait.qw1());
        assertThat(fixture.memory.read32(fixture.statusWord)).isZero();
        assertThat(unit.read64(RegisterMap.IQH)).isZero();
    }
}
