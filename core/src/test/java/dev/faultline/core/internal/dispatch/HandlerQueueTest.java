package dev.faultline.core.internal.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.internal.answer.HeldGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A queued handler's ring and thread: every offered group is served once, in order, whether the idle thread spins
 * or, its core's spin budget spent, parks at once.
 */
class HandlerQueueTest {
    private final List<HandlerQueue> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(HandlerQueue::stop);
    }

    private static HeldGroup slot(int index) {
        return new HeldGroup(1, index, freed -> { }, null);
    }

    private HandlerQueue start(String name, HandlerQueue.Call call, SpinBudget spins) {
        HandlerQueue q = new HandlerQueue(name, 64, call, null, spins);
        q.start();
        started.add(q);
        return q;
    }

    @Test
    void aBudgetLetsAtMostItsLimitSpinAtOnce() {
        SpinBudget one = new SpinBudget(1);
        assertThat(one.tryStart()).isTrue();
        assertThat(one.tryStart()).as("spent").isFalse();
        one.end();
        assertThat(one.tryStart()).isTrue();
        one.end();
        assertThat(new SpinBudget(0).tryStart()).isFalse();

        one.joined();
        assertThat(one.tryStart()).as("one queued handler's thread: it may spin").isTrue();
        one.end();
        one.joined();
        assertThat(one.tryStart()).as("more queued handlers' threads than the limit: none spins").isFalse();
        one.left();
        assertThat(one.tryStart()).isTrue();
        one.end();
        assertThat(SpinBudget.ofProcessors().tryStart())
                .isEqualTo(Runtime.getRuntime().availableProcessors() > 1);
        assertThatThrownBy(() -> new SpinBudget(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aQueuedHandlersThreadCountsInItsCoresBudgetFromItsStartToItsStop() {
        SpinBudget one = new SpinBudget(1);
        HandlerQueue first = start("first", (g, generation) -> { }, one);
        assertThat(one.tryStart()).isTrue();
        one.end();
        HandlerQueue second = start("second", (g, generation) -> { }, one);
        assertThat(one.tryStart()).as("two threads, one spare processor").isFalse();
        second.stop();
        second.stop();
        assertThat(one.tryStart()).as("stopped once, counted once").isTrue();
        one.end();
        first.stop();
    }

    @Test
    void withTheBudgetSpentAnIdleThreadParksAtOnceAndEveryOfferStillReachesIt() throws Exception {
        int groups = 5_000;
        SpinBudget none = new SpinBudget(0);
        HeldGroup[] slots = new HeldGroup[64];
        for (int i = 0; i < slots.length; i++) {
            slots[i] = slot(i);
        }
        ConcurrentLinkedQueue<Long> served = new ConcurrentLinkedQueue<>();
        CountDownLatch all = new CountDownLatch(groups);
        HandlerQueue q = start("parks-at-once", (g, generation) -> {
            served.add(generation);
            all.countDown();
        }, none);

        for (int i = 0; i < groups; i++) {
            while (!q.offer(slots[i % slots.length], i)) {
                Thread.onSpinWait(); // full: the handler's thread is behind
            }
            if (i % 97 == 0) {
                LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200)); // long enough for it to park
            }
        }

        assertThat(all.await(10, TimeUnit.SECONDS)).as("every group served").isTrue();
        assertThat(new ArrayList<>(served)).hasSize(groups).isSorted();
        assertThat(none.spinning()).isZero();
    }
}
