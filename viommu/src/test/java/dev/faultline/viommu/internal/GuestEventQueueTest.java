package dev.faultline.viommu.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.UnresolvedFault;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class GuestEventQueueTest {

    private static UnrecoverableEvent event(GuestEventQueue queue) {
        return new UnrecoverableEvent(queue.takeSequence(), 7, Pasid.NONE, Permissions.READ, true, 0x1000,
                UnresolvedFault.WALK_SUCCEEDS, HardwareRecord.NONE);
    }

    private static List<GuestEvent> drain(GuestEventQueue queue) {
        return queue.poll(Integer.MAX_VALUE, cookie -> { });
    }

    @Test
    void stampsConsecutiveSequenceNumbersFromZero() {
        GuestEventQueue queue = new GuestEventQueue(4);
        for (int i = 0; i < 3; i++) {
            queue.add(event(queue));
        }
        assertThat(drain(queue)).extracting(GuestEvent::sequence).containsExactly(0, 1, 2);
    }

    @Test
    void wrapsTheSequenceFromIntMaxToZeroLikeVeventq() {
        GuestEventQueue queue = new GuestEventQueue(4, Integer.MAX_VALUE - 1);
        for (int i = 0; i < 3; i++) {
            queue.add(event(queue));
        }
        assertThat(drain(queue)).extracting(GuestEvent::sequence)
                .containsExactly(Integer.MAX_VALUE - 1, Integer.MAX_VALUE, 0);
    }

    @Test
    void countsConsecutiveLossesInOneMarkerThatTakesASequenceNumber() {
        GuestEventQueue queue = new GuestEventQueue(2);
        queue.add(event(queue));
        queue.add(event(queue));
        for (int i = 0; i < 1000; i++) {
            queue.recordLost();
        }
        List<GuestEvent> read = drain(queue);
        assertThat(read).hasSize(3);
        assertThat(read.get(2)).isEqualTo(new LostEvents(2, 1000));
        assertThat(read.get(2).flags()).isEqualTo(GuestEvent.FLAG_LOST_EVENTS);
        assertThat(read.get(2).toBytes()).containsExactly(1, 0, 0, 0, 2, 0, 0, 0);
    }

    @Test
    void startsANewMarkerOnceAnEventFollowsTheLastOne() {
        GuestEventQueue queue = new GuestEventQueue(8);
        queue.recordLost();
        queue.recordLost();
        queue.add(event(queue));
        queue.recordLost();
        List<GuestEvent> read = drain(queue);
        assertThat(read).extracting(GuestEvent::sequence).containsExactly(0, 1, 2);
        assertThat(read.get(0)).isEqualTo(new LostEvents(0, 2));
        assertThat(read.get(1)).isInstanceOf(UnrecoverableEvent.class);
        assertThat(read.get(2)).isEqualTo(new LostEvents(2, 1));
    }

    @Test
    void aMarkerAlreadyReadIsNotCountedIntoAgain() {
        GuestEventQueue queue = new GuestEventQueue(1);
        queue.recordLost();
        assertThat(drain(queue)).containsExactly(new LostEvents(0, 1));
        queue.recordLost();
        assertThat(drain(queue)).containsExactly(new LostEvents(1, 1));
    }

    @Test
    void markersDoNotCountAgainstTheDepthAndTheQueueStaysWithinTwiceTheDepthPlusOne() {
        GuestEventQueue queue = new GuestEventQueue(3);
        List<GuestEvent> read = new ArrayList<>();
        for (int round = 0; round < 50; round++) {
            while (!queue.full()) {
                queue.recordLost();
                queue.add(event(queue));
            }
            queue.recordLost();
            assertThat(queue.size()).isLessThanOrEqualTo(2 * 3 + 1);
            read.addAll(queue.poll(2, cookie -> { }));
        }
        read.addAll(drain(queue));
        long lost = read.stream().filter(e -> e instanceof LostEvents).mapToLong(e -> ((LostEvents) e).count()).sum();
        long events = read.stream().filter(e -> e instanceof UnrecoverableEvent).count();
        assertThat(lost).isEqualTo(events + 50);
    }

    @Test
    void refusesAnEventBeyondTheDepth() {
        GuestEventQueue queue = new GuestEventQueue(1);
        queue.add(event(queue));
        assertThatThrownBy(() -> queue.add(event(queue))).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("depth 1");
    }

    @Test
    void pollTakesAtMostTheRequestedNumberOldestFirst() {
        GuestEventQueue queue = new GuestEventQueue(5);
        for (int i = 0; i < 5; i++) {
            queue.add(event(queue));
        }
        assertThat(queue.poll(2, cookie -> { })).extracting(GuestEvent::sequence).containsExactly(0, 1);
        assertThat(queue.full()).isFalse();
        assertThat(queue.size()).isEqualTo(3);
    }
}
