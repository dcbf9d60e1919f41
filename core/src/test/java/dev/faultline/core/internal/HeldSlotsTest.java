package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.HeldSlots;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Deferred groups live in reused slots: a handle answers only the group it was deferred for, whatever its slot holds
 * next; beyond the slots a group is a counted copy, never lost; the deadlines of each timeout value expire in order.
 * (A freed slot is the next one taken, so each "next group" below reuses the slot of the group answered before it.)
 */
class HeldSlotsTest {
    private final Fixture f = new Fixture(Settings.DEFAULTS.withDefaultTimeoutMillis(1000));
    private final Handlers.Deferring deferring = new Handlers.Deferring();

    @AfterEach
    void close() {
        f.close();
    }

    private DeferredGroup deferNext(int group) {
        last(f.device(DEV), group, 0x1000L * group);
        return deferring.held.get(deferring.held.size() - 1);
    }

    @Test
    void aHandleAnsweredTwiceNeverAnswersTheGroupItsSlotHoldsNext() {
        f.registerForDevice(deferring, DEV);
        DeferredGroup first = deferNext(1);
        assertThat(first.respond(ResponseCode.SUCCESS)).isTrue();
        DeferredGroup second = deferNext(2);

        assertThat(first.respond(ResponseCode.INVALID)).isFalse();
        assertThat(first.answered()).isTrue();
        assertThat(second.answered()).isFalse();
        assertThat(first.groupId()).isEqualTo(1);
        assertThat(second.respond(ResponseCode.SUCCESS)).isTrue();

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(1, 2);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.SUCCESS);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aHandleAnsweredAfterItsDeadlineNeverAnswersTheGroupItsSlotHoldsNext() {
        f.registerForDevice(deferring, DEV);
        DeferredGroup late = deferNext(1);
        f.ticker.advance(1, TimeUnit.SECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        DeferredGroup next = deferNext(2);

        assertThat(late.respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(next.answered()).isFalse();
        assertThat(f.pipeline.pending()).singleElement().satisfies(p -> assertThat(p.groupId()).isEqualTo(2));
        assertThat(next.respond(ResponseCode.SUCCESS)).isTrue();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.SUCCESS);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.timedOut()).isEqualTo(1);
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aHandleAnsweredAfterAChangeOfOwnerIsStaleAndNeverAnswersTheGroupItsSlotHoldsNext() {
        f.register(deferring, HandlerProperties.DOMAIN, "dom");
        f.device(DEV).attach(Pasid.NONE, Domain.dma("dom"));
        DeferredGroup old = deferNext(1);
        f.device(DEV).detach(Pasid.NONE);
        f.device(DEV).attach(Pasid.NONE, Domain.dma("dom"));
        DeferredGroup next = deferNext(2);

        assertThat(old.respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(next.answered()).isFalse();
        assertThat(next.respond(ResponseCode.SUCCESS)).isTrue();

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(1, 2);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.SUCCESS);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.answeredAtDetach()).isEqualTo(1);
        assertThat(c.staleAnswers()).isEqualTo(1);
        assertThat(c.duplicates()).isZero();
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void theFaultsOfAGroupItsHandlerAnsweredAreGoneOnceItsSlotHoldsAnother() {
        f.registerForDevice(deferring, DEV);
        DeferredGroup first = deferNext(1);
        assertThat(first.faults()).singleElement().satisfies(fault -> assertThat(fault.address()).isEqualTo(0x1000L));
        first.respond(ResponseCode.SUCCESS);
        DeferredGroup second = deferNext(2);

        assertThatThrownBy(first::faults).isInstanceOf(IllegalStateException.class).hasMessageContaining("answered");
        assertThat(first.device()).isEqualTo(DEV);
        assertThat(second.faults()).singleElement().satisfies(fault -> assertThat(fault.address()).isEqualTo(0x2000L));
        second.respond(ResponseCode.SUCCESS);
    }

    @Test
    void aHandlerStillWorkingOnAGroupTheCoreAnsweredReadsItsFaultsWhateverItsSlotHoldsNext() {
        f.registerForDevice(deferring, DEV);
        DeferredGroup late = deferNext(1);
        f.ticker.advance(1, TimeUnit.SECONDS);
        f.pipeline.expireDeadlines();
        DeferredGroup next = deferNext(2);

        assertThat(late.faults()).singleElement().satisfies(fault -> assertThat(fault.address()).isEqualTo(0x1000L));
        assertThat(late.respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(next.faults()).singleElement().satisfies(fault -> assertThat(fault.address()).isEqualTo(0x2000L));
        assertThat(next.respond(ResponseCode.SUCCESS)).isTrue();
    }

    @Test
    void aDeferredGroupIsReadInPlaceWhilePendingAndFromTheCopyKeptWhenTheCoreAnsweredIt() {
        f.registerForDevice(deferring, DEV);
        DeferredGroup late = deferNext(1);
        assertThat(late.size()).isOne();
        assertThat(late.address(0)).isEqualTo(0x1000L);
        assertThat(late.permissions(0)).isEqualTo(late.faults().get(0).permissions());
        assertThatThrownBy(() -> late.address(1)).isInstanceOf(IndexOutOfBoundsException.class);

        f.ticker.advance(1, TimeUnit.SECONDS);
        f.pipeline.expireDeadlines();
        DeferredGroup next = deferNext(2);
        assertThat(late.size()).isOne();
        assertThat(late.address(0)).isEqualTo(0x1000L);
        assertThat(next.address(0)).isEqualTo(0x2000L);

        assertThat(next.respond(ResponseCode.SUCCESS)).isTrue();
        DeferredGroup third = deferNext(3);
        assertThatThrownBy(() -> next.address(0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("answered");
        assertThatThrownBy(next::size).isInstanceOf(IllegalStateException.class);
        assertThat(third.address(0)).isEqualTo(0x3000L);
        third.respond(ResponseCode.SUCCESS);
    }

    @Test
    void freedSlotsAreTakenAgainAroundTheOnesStillHeldSoAPoolNeverRunsOutWhileGroupsAreAnswered() {
        f.registerForDevice(deferring, DEV);
        DeferredGroup keptLong = deferNext(0);
        List<DeferredGroup> inFlight = new ArrayList<>();
        for (int g = 1; g <= 3 * HeldSlots.CAPACITY; g++) {
            inFlight.add(deferNext(g & 0x1ff));
            if (inFlight.size() == HeldSlots.CAPACITY / 2) {
                // answered oldest first, as most handlers do, with half of the slots in use at any time
                assertThat(inFlight.remove(0).respond(ResponseCode.SUCCESS)).isTrue();
            }
        }
        assertThat(f.pipeline.heldOneOffCopies()).isZero();
        assertThat(keptLong.answered()).isFalse();
        assertThat(keptLong.address(0)).isZero();
        assertThat(keptLong.respond(ResponseCode.SUCCESS)).isTrue();
        inFlight.forEach(d -> assertThat(d.respond(ResponseCode.SUCCESS)).isTrue());
        assertThat(f.backend.responses()).hasSize(3 * HeldSlots.CAPACITY + 1);
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aSlotFreedAnywhereInAFullPoolIsTakenAgainWithinAFewGroups() {
        f.registerForDevice(deferring, DEV);
        for (int g = 0; g < HeldSlots.CAPACITY; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        assertThat(f.pipeline.heldOneOffCopies()).isZero();
        // one group in the middle answered: the pool is full but for that slot
        assertThat(deferring.held.get(HeldSlots.CAPACITY / 2 + 7).respond(ResponseCode.SUCCESS)).isTrue();

        boolean reused = false;
        for (int g = 0; g <= HeldSlots.CAPACITY / 64 && !reused; g++) {
            long copies = f.pipeline.heldOneOffCopies();
            last(f.device(DEV), HeldSlots.CAPACITY + g, 0x2000);
            reused = f.pipeline.heldOneOffCopies() == copies;
        }
        assertThat(reused).as("the freed slot taken again within %d groups", HeldSlots.CAPACITY / 64 + 1).isTrue();
        for (DeferredGroup d : deferring.held) {
            d.respond(ResponseCode.SUCCESS);
        }
        assertThat(f.pipeline.pending()).isEmpty();
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aFullPoolThatFoundNoFreeSlotStillTakesTheOldestOnceItsGroupIsAnswered() {
        f.registerForDevice(deferring, DEV);
        for (int g = 0; g < HeldSlots.CAPACITY; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        last(f.device(DEV), HeldSlots.CAPACITY, 0x2000);
        assertThat(f.pipeline.heldOneOffCopies()).as("every slot held: a copy").isEqualTo(1);

        // groups answered in the order they were held free the slots after the one taken last
        for (int g = 0; g < 8; g++) {
            assertThat(deferring.held.get(g).respond(ResponseCode.SUCCESS)).isTrue();
            last(f.device(DEV), HeldSlots.CAPACITY + 1 + g, 0x3000);
        }
        assertThat(f.pipeline.heldOneOffCopies()).as("no copy while answered slots are free").isEqualTo(1);
        for (DeferredGroup d : deferring.held) {
            d.respond(ResponseCode.SUCCESS);
        }
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void beyondItsThreadsSlotsAGroupIsACountedCopyAnsweredExactlyOnce() {
        f.registerForDevice(deferring, DEV);
        int groups = HeldSlots.CAPACITY + 76;
        for (int g = 0; g < groups; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        assertThat(f.pipeline.heldOneOffCopies()).isEqualTo(76);
        assertThat(f.pipeline.pending()).hasSize(groups);
        assertThat(f.log.count("held-group slots of reporting thread")).isPositive();

        for (DeferredGroup d : deferring.held) {
            assertThat(d.respond(ResponseCode.SUCCESS)).isTrue();
            assertThat(d.respond(ResponseCode.SUCCESS)).isFalse();
        }
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).doesNotHaveDuplicates()
                .hasSize(groups);
        assertThat(f.pipeline.pending()).isEmpty();

        // the slots are free again: the next groups take them, no more copies
        deferring.held.clear();
        for (int g = 0; g < HeldSlots.CAPACITY; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        assertThat(f.pipeline.heldOneOffCopies()).isEqualTo(76);
        deferring.held.forEach(d -> d.respond(ResponseCode.SUCCESS));
        FaultCounts c = f.pipeline.totals();
        assertThat(c.duplicates()).isEqualTo(groups);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void copiesBeyondTheSlotsExpireAndAreAnsweredAtAChangeOfOwnerLikeTheOthers() {
        long handler = f.registerForDevice(deferring, DEV);
        int groups = HeldSlots.CAPACITY + 10;
        for (int g = 0; g < groups; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        f.ticker.advance(1, TimeUnit.SECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(groups);
        assertThat(f.backend.codes()).hasSize(groups).containsOnly(ResponseCode.INVALID);
        f.pipeline.release(Long.toString(handler)); // so many timeouts in a row quarantined it

        for (int g = 0; g < groups; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        f.device(DEV).remove();
        assertThat(f.backend.codes()).hasSize(2 * groups).containsOnly(ResponseCode.INVALID);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.timedOut()).isEqualTo(groups);
        assertThat(c.answeredAtRemoval()).isEqualTo(groups);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void eachTimeoutValueExpiresAtItsOwnDeadlineWhateverTheOrderOfReports() {
        Handlers.Deferring slow = new Handlers.Deferring();
        f.register(slow, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.TIMEOUT_MS, 50L);
        f.register(deferring, HandlerProperties.DEVICE, Fixture.DEV2.toString(), HandlerProperties.TIMEOUT_MS, 10L);
        last(f.device(DEV), 1, 0x1000);
        f.ticker.advance(1, TimeUnit.MILLISECONDS);
        last(f.device(Fixture.DEV2), 2, 0x1000);
        last(f.device(DEV), 3, 0x1000);

        f.ticker.advance(10, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(2);

        f.ticker.advance(39, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        f.ticker.advance(1, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(2, 1, 3);
        assertThat(f.pipeline.totals().timedOut()).isEqualTo(3);
    }
}
