package dev.faultline.platform.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseMessage;
import java.util.ArrayDeque;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The page request queue ring: descriptors, wrap, full, overflow (PRS.PRO) and its events (VT-d PRQ). */
class PageRequestQueueTest {
    private static final int RID = 0x0300;
    private static final int SLOTS = 128; // one 4 KiB page of 32-byte descriptors

    private final UnitFixture fixture = new UnitFixture(8);
    private final RemappingUnit unit = fixture.unit;
    private long base;

    private void programRing() {
        fixture.pasidEntry(RID, 5);
        base = fixture.pageRequestQueue(0);
        unit.connect(RID, fixture.responses::add);
    }

    private static PageRequestMessage request(int index, boolean last) {
        return new PageRequestMessage(RID, 5, false, false, true, true, last, index & 0x1ff, 0x7f00_0000_0000L
                + ((long) index << 12));
    }

    private PageRequestDescriptor slot(int index) {
        long at = base + 32L * index;
        return PageRequestDescriptor.decode(fixture.memory.read64(at), fixture.memory.read64(at + 8),
                fixture.memory.read64(at + 16), fixture.memory.read64(at + 24));
    }

    private void consumeTo(long head) {
        unit.write64(RegisterMap.PQH, head);
    }

    @Test
    void writesTheDescriptorAtTheTailAndRaisesTheEventOnce() {
        programRing();
        unit.pageRequest(request(0x12, true));
        unit.pageRequest(request(0x13, false));
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(64);
        assertThat(slot(0)).isEqualTo(PageRequestDescriptor.of(request(0x12, true)));
        assertThat(slot(1).lastInGroup()).isFalse();
        assertThat(unit.read32(RegisterMap.PRS)).isEqualTo(RegisterMap.PRS_PPR);
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.PAGE_REQUEST_EVENT);
        unit.write32(RegisterMap.PRS, RegisterMap.PRS_PPR);
        unit.pageRequest(request(0x14, true));
        assertThat(fixture.interrupts).hasSize(2);
        assertThat(fixture.responses).isEmpty();
    }

    @Test
    void requestsInFlightReachTheQueueOnlyWithAPageRequestDrainWaitNotWithAPlainOne() {
        programRing();
        unit.holdPageRequestsInFlight(true);
        unit.pageRequest(request(0x20, false));
        unit.pageRequest(request(0x20, true));
        assertThat(unit.pageRequestsInFlight()).isEqualTo(2);
        assertThat(unit.read64(RegisterMap.PQT)).isZero();

        InvalidationWait plain = InvalidationWait.statusWrite(fixture.statusWord, false);
        fixture.submit(plain.qw0(), plain.qw1());
        assertThat(unit.read64(RegisterMap.PQT)).isZero();

        InvalidationWait drain = InvalidationWait.statusWrite(fixture.statusWord, true);
        fixture.submit(drain.qw0(), drain.qw1());
        assertThat(unit.pageRequestsInFlight()).isZero();
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(64);
        assertThat(slot(0).lastInGroup()).isFalse();
        assertThat(slot(1)).isEqualTo(PageRequestDescriptor.of(request(0x20, true)));
        assertThat(fixture.interrupts).contains(UnitInterrupt.PAGE_REQUEST_EVENT);
    }

    @Test
    void requestsInFlightLandInOrderWhenTheHoldEnds() {
        programRing();
        unit.holdPageRequestsInFlight(true);
        unit.pageRequest(request(0x30, true));
        unit.pageRequest(request(0x31, true));
        unit.holdPageRequestsInFlight(false);
        assertThat(unit.pageRequestsInFlight()).isZero();
        assertThat(slot(0).groupIndex()).isEqualTo(0x30);
        assertThat(slot(1).groupIndex()).isEqualTo(0x31);
        unit.pageRequest(request(0x32, true));
        assertThat(slot(2).groupIndex()).isEqualTo(0x32);
    }

    @Test
    void wrapsTheTailAfterTheLastSlot() {
        programRing();
        for (int i = 0; i < SLOTS - 1; i++) {
            unit.pageRequest(request(i, true));
        }
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(32L * (SLOTS - 1));
        consumeTo(32L * (SLOTS - 1));
        unit.pageRequest(request(500, true));
        assertThat(unit.read64(RegisterMap.PQT)).isZero();
        unit.pageRequest(request(501, true));
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(32);
        assertThat(slot(SLOTS - 1).groupIndex()).isEqualTo(500 & 0x1ff);
        assertThat(slot(0).groupIndex()).isEqualTo(501 & 0x1ff);
    }

    @Test
    void setsProWhenFullDiscardsAndAnswersTheLastRequestItself() {
        programRing();
        for (int i = 0; i < SLOTS - 1; i++) {
            unit.pageRequest(request(i, true));
        }
        assertThat(unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO).isZero();
        unit.write32(RegisterMap.PRS, RegisterMap.PRS_PPR);
        unit.pageRequest(request(0x1ff, true));
        assertThat(unit.read32(RegisterMap.PRS)).isEqualTo(RegisterMap.PRS_PRO);
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(32L * (SLOTS - 1));
        assertThat(fixture.responses).containsExactly(
                PrgResponseMessage.of(RID, 5, 0x1ff, PrgResponseCode.SUCCESS));
        assertThat(fixture.interrupts).containsExactly(UnitInterrupt.PAGE_REQUEST_EVENT,
                UnitInterrupt.PAGE_REQUEST_EVENT);
        assertThat(unit.counters().pageRequestsDiscarded()).isEqualTo(1);
    }

    @Test
    void keepsDiscardingWhileProIsSetEvenWithRoomAndAcceptsOnceCleared() {
        programRing();
        for (int i = 0; i < SLOTS; i++) {
            unit.pageRequest(request(i, false));
        }
        consumeTo(32L * (SLOTS - 1));
        unit.pageRequest(request(7, false));
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(32L * (SLOTS - 1));
        assertThat(unit.counters().pageRequestsDiscarded()).isEqualTo(2);
        assertThat(fixture.responses).isEmpty(); // partial requests are never answered
        unit.write32(RegisterMap.PRS, RegisterMap.PRS_PRO);
        unit.pageRequest(request(8, true));
        assertThat(unit.read64(RegisterMap.PQT)).isZero();
        assertThat(unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO).isZero();
    }

    @Test
    void neverWritesPastTheRing() {
        programRing();
        long after = base + 4096;
        fixture.memory.write64(after, 0x5a5a_5a5a_5a5a_5a5aL);
        fixture.memory.write64(base - 8, 0x5a5a_5a5a_5a5a_5a5aL);
        Random random = new Random(42);
        for (int i = 0; i < 5000; i++) {
            if (random.nextInt(3) == 0) {
                consumeTo(unit.read64(RegisterMap.PQT));
                unit.write32(RegisterMap.PRS, RegisterMap.PRS_PRO);
            }
            unit.pageRequest(request(i, random.nextBoolean()));
            assertThat(unit.read64(RegisterMap.PQT)).isLessThan(4096);
        }
        assertThat(fixture.memory.read64(after)).isEqualTo(0x5a5a_5a5a_5a5a_5a5aL);
        assertThat(fixture.memory.read64(base - 8)).isEqualTo(0x5a5a_5a5a_5a5a_5a5aL);
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 7, 20_231})
    void agreesWithAReferenceRingForAnySeed(long seed) {
        programRing();
        Random random = new Random(seed);
        ArrayDeque<PageRequestDescriptor> expected = new ArrayDeque<>();
        boolean overflow = false;
        long discarded = 0;
        for (int step = 0; step < 4000; step++) {
            int action = random.nextInt(10);
            if (action < 6) {
                PageRequestMessage message = request(random.nextInt(512), random.nextBoolean());
                unit.pageRequest(message);
                if (overflow || expected.size() == SLOTS - 1) {
                    overflow = true;
                    discarded++;
                } else {
                    expected.add(PageRequestDescriptor.of(message));
                }
            } else if (action < 9) {
                long head = unit.read64(RegisterMap.PQH);
                int take = random.nextInt(expected.size() + 1);
                for (int i = 0; i < take; i++) {
                    assertThat(slot((int) (head / 32))).isEqualTo(expected.poll());
                    head = (head + 32) % 4096;
                }
                consumeTo(head);
            } else if (expected.isEmpty()) {
                unit.write32(RegisterMap.PRS, RegisterMap.PRS_PRO); // as Linux: clear PRO only once drained
                overflow = false;
            }
            assertThat((unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO) != 0).isEqualTo(overflow);
            long used = (unit.read64(RegisterMap.PQT) - unit.read64(RegisterMap.PQH) + 4096) % 4096;
            assertThat(used).isEqualTo(32L * expected.size());
        }
        assertThat(unit.counters().pageRequestsDiscarded()).isEqualTo(discarded);
    }

    @Test
    void recordsPreClearAndAnswersInvalidInsteadOfQueueing() {
        programRing();
        long context = fixture.contextEntry(RID);
        fixture.memory.write64(context, fixture.memory.read64(context) & ~0x10L);
        unit.pageRequest(request(3, true));
        assertThat(unit.read64(RegisterMap.PQT)).isZero();
        assertThat(fixture.faultRecord(0)).isEqualTo(new FaultRecord(0x7f00_0000_3000L, RID, true, 5,
                FaultReason.SM_CONTEXT_PRE_CLEAR, false, true, false, false, 0, true));
        assertThat(fixture.responses).containsExactly(
                PrgResponseMessage.of(RID, 5, 3, PrgResponseCode.INVALID_REQUEST));
    }

    @Test
    void answersResponseFailureBeforeTheQueueIsProgrammed() {
        fixture.pasidEntry(RID, 5);
        unit.connect(RID, fixture.responses::add);
        unit.pageRequest(request(4, true));
        unit.pageRequest(PageRequestMessage.stopMarker(RID, 5, 9));
        assertThat(fixture.responses).containsExactly(
                PrgResponseMessage.of(RID, 5, 4, PrgResponseCode.RESPONSE_FAILURE));
        assertThat(unit.counters().pageRequestsDiscarded()).isEqualTo(2);
    }

    @Test
    void queuesStopMarkersButNeverAnswersThemOnOverflow() {
        programRing();
        unit.pageRequest(PageRequestMessage.stopMarker(RID, 5, 1));
        assertThat(slot(0).stopMarker()).isTrue();
        unit.write32(RegisterMap.PRS, 0);
        for (int i = 0; i < SLOTS; i++) {
            unit.pageRequest(PageRequestMessage.stopMarker(RID, 5, i));
        }
        assertThat(unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO).isNotZero();
        assertThat(fixture.responses).isEmpty();
    }

    @Test
    void queuesPasidlessRequestsWithoutPp() {
        programRing();
        unit.pageRequest(new PageRequestMessage(RID, Pasid.NONE, false, false, true, false, true, 2, 0x4000));
        assertThat(slot(0).pasidPresent()).isFalse();
        assertThat(slot(0).pasidOrNone()).isEqualTo(Pasid.NONE);
    }
}
