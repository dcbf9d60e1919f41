package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.PageRequestMessage;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Page request descriptors, page group responses and wait descriptors against hand-computed vectors. */
class QueueRecordsTest {

    @Test
    void encodesTv37PageRequestAndItsTraceText() {
        PageRequestDescriptor request = PageRequestDescriptor.of(
                new PageRequestMessage(0x300, 5, false, false, true, true, true, 0x12, 0x7f00_0040_1000L));
        assertThat(request.qw0()).isEqualTo(0x0000_0005_0300_0101L);
        assertThat(request.qw1()).isEqualTo(0x0000_7f00_0040_1097L);
        assertThat(request.traceText()).isEqualTo("rid=0x300 addr=0x7f0000401 rw--l pasid=0x5 index=0x12");
        assertThat(PageRequestDescriptor.decode(request.qw0(), request.qw1(), 0, 0)).isEqualTo(request);
    }

    @Test
    void encodesTv37ResponsesForEveryCode() {
        assertThat(response(PageGroupResponse.SUCCESS).qw0()).isEqualTo(0x0000_0005_0300_0019L);
        assertThat(response(PageGroupResponse.SUCCESS).qw1()).isEqualTo(0x94);
        assertThat(response(PageGroupResponse.INVALID).qw0()).isEqualTo(0x0000_0005_0300_1019L);
        assertThat(response(PageGroupResponse.FAILURE).qw0()).isEqualTo(0x0000_0005_0300_f019L);
        assertThat(response(2).qw0()).isEqualTo(0x0000_0005_0300_2019L);
        PageGroupResponse success = response(PageGroupResponse.SUCCESS);
        assertThat(PageGroupResponse.decode(success.qw0(), success.qw1(), 0, 0)).isEqualTo(success);
        assertThat(InvalidationType.of(success.qw0())).isEqualTo(InvalidationType.PAGE_GROUP_RESPONSE);
        assertThat(PageGroupResponse.reservedBitsSet(success.qw0(), success.qw1())).isFalse();
        assertThat(PageGroupResponse.reservedBitsSet(success.qw0() | 1L << 5, success.qw1())).isTrue();
        assertThat(PageGroupResponse.reservedBitsSet(success.qw0(), success.qw1() | 1L << 12)).isTrue();
    }

    private static PageGroupResponse response(int code) {
        return new PageGroupResponse(0x300, true, 5, code, true, 0x12, 0, 0);
    }

    @Test
    void recognisesTv37StopMarkerAndPrivilegedRequest() {
        PageRequestDescriptor stop = PageRequestDescriptor.decode(0x0000_0005_0300_0101L, 0x0000_7f00_0040_1094L, 0, 0);
        assertThat(stop.stopMarker()).isTrue();
        PageRequestDescriptor fromMarker = PageRequestDescriptor.of(PageRequestMessage.stopMarker(0x300, 5, 0x12));
        assertThat(fromMarker.stopMarker()).isTrue();
        PageRequestDescriptor privileged = PageRequestDescriptor.decode(0x0020_0005_0300_0101L,
                0x0000_7f00_0040_1097L, 0, 0);
        assertThat(privileged.privileged()).isTrue();
        assertThat(privileged.execute()).isFalse();
        assertThat(privileged.qw0()).isEqualTo(0x0020_0005_0300_0101L);
    }

    @Test
    void encodesTv41TwoRequestGroup() {
        PageRequestDescriptor a = PageRequestDescriptor.of(
                new PageRequestMessage(0x300, 5, false, false, true, false, false, 0x12, 0x7f00_0040_0000L));
        PageRequestDescriptor b = PageRequestDescriptor.of(
                new PageRequestMessage(0x300, 5, false, false, true, true, true, 0x12, 0x7f00_0040_1000L));
        assertThat(a.qw0()).isEqualTo(0x0000_0005_0300_0101L);
        assertThat(a.qw1()).isEqualTo(0x0000_7f00_0040_0091L);
        assertThat(b.qw0()).isEqualTo(a.qw0());
        assertThat(b.qw1()).isEqualTo(0x0000_7f00_0040_1097L);
        PageGroupResponse answer = new PageGroupResponse(b.requesterId(), b.pasidPresent(), b.pasid(),
                PageGroupResponse.SUCCESS, true, b.groupIndex(), 0, 0);
        assertThat(answer.qw0()).isEqualTo(0x0000_0005_0300_0019L);
        assertThat(answer.qw1()).isEqualTo(0x0000_0000_0000_0094L);
    }

    @Test
    void decodesTheRealPrivilegedModeRequestOfPrq01() {
        // prq-01: "dmar15: Invalid page request: 2000026a100101 ffffb167"
        PageRequestDescriptor request = PageRequestDescriptor.decode(0x0020_0002_6a10_0101L, 0xffff_b167L, 0, 0);
        assertThat(PageRequestDescriptor.type(0x0020_0002_6a10_0101L)).isEqualTo(PageRequestDescriptor.TYPE);
        assertThat(request.requesterId()).isEqualTo(0x6a10);
        assertThat(request.pasidOrNone()).isEqualTo(2);
        assertThat(request.read()).isTrue();
        assertThat(request.write()).isTrue();
        assertThat(request.execute()).isFalse();
        assertThat(request.privileged()).isTrue();
        assertThat(request.lastInGroup()).isTrue();
        assertThat(request.groupIndex()).isEqualTo(44);
        assertThat(request.address()).isEqualTo(0xffff_b000L);
    }

    @Test
    void carriesPrivateDataOnlyWhenPresent() {
        PageRequestDescriptor request = new PageRequestDescriptor(0x300, false, 0, false, false, true, false, true, 3,
                0x1000, true, 0x1122, 0x3344);
        assertThat(request.qw0() & 1L << 9).isNotZero();
        assertThat(request.pasidOrNone()).isEqualTo(Pasid.NONE);
        assertThat(request.traceText()).endsWith(" private=0x1122/0x3344");
        assertThat(PageRequestDescriptor.decode(request.qw0(), request.qw1(), 0x1122, 0x3344)).isEqualTo(request);
    }

    @Test
    void encodesTv38WaitDescriptors() {
        assertThat(InvalidationWait.statusWrite(0x1000, false).qw0()).isEqualTo(0x0000_0002_0000_0025L);
        assertThat(InvalidationWait.statusWrite(0x1000, true).qw0()).isEqualTo(0x0000_0002_0000_00a5L);
        InvalidationWait fence = new InvalidationWait(false, false, true, false, InvalidationWait.QI_DONE, 0);
        assertThat(fence.qw0()).isEqualTo(0x0000_0002_0000_0045L);
        InvalidationWait wait = new InvalidationWait(true, true, false, true, 0xdead_beef, 0x8_1234_5678L);
        assertThat(InvalidationWait.decode(wait.qw0(), wait.qw1())).isEqualTo(wait);
        assertThat(InvalidationType.of(wait.qw0())).isEqualTo(InvalidationType.WAIT);
    }

    @Test
    void readsTheHighTypeBitsOfWideDescriptors() {
        assertThat(InvalidationType.codeOf(0x9 | 1 << 9)).isEqualTo(0x19);
        assertThat(InvalidationType.of(0x9 | 1 << 9)).isNull();
        assertThat(InvalidationType.of(0xb)).isNull();
    }

    @Test
    void roundTripsRandomPageRequestsAndResponses() {
        Random random = new Random(11);
        for (int i = 0; i < 2000; i++) {
            PageRequestDescriptor d = new PageRequestDescriptor(random.nextInt(0x10000), random.nextBoolean(),
                    random.nextInt(0x100000), random.nextBoolean(), random.nextBoolean(), random.nextBoolean(),
                    random.nextBoolean(), random.nextBoolean(), random.nextInt(0x200), random.nextLong() & ~0xfffL,
                    random.nextBoolean(), random.nextLong(), random.nextLong());
            assertThat(PageRequestDescriptor.decode(d.qw0(), d.qw1(), d.privateData0(), d.privateData1()))
                    .isEqualTo(d);
            PageGroupResponse r = new PageGroupResponse(random.nextInt(0x10000), random.nextBoolean(),
                    random.nextInt(0x100000), random.nextInt(16), random.nextBoolean(), random.nextInt(0x200),
                    random.nextLong(), random.nextLong());
            assertThat(PageGroupResponse.decode(r.qw0(), r.qw1(), r.privateData0(), r.privateData1())).isEqualTo(r);
            assertThat(PageGroupResponse.reservedBitsSet(r.qw0(), r.qw1())).isFalse();
        }
    }
}
