package dev.faultline.core.internal.count;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CountersTest {

    private static Thread counting(Counters counters, Counter counter, int times, CountDownLatch start) {
        Thread t = new Thread(() -> {
            try {
                start.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            for (int i = 0; i < times; i++) {
                counters.increment(counter);
            }
        });
        t.start();
        return t;
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void moreThreadsThanLanesLoseNoCount(boolean shared) throws InterruptedException {
        Counters counters = shared ? Counters.shared() : new Counters();
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 2 * Counters.LANES + 1; t++) {
            threads.add(counting(counters, Counter.DISPATCHED, 100_000, start));
        }
        start.countDown();
        for (Thread t : threads) {
            t.join();
        }

        assertThat(counters.get(Counter.DISPATCHED)).isEqualTo((2L * Counters.LANES + 1) * 100_000);
        assertThat(counters.get(Counter.REPORTED)).isZero();
    }

    @Test
    void aThreadTakesOverTheLaneOfAThreadThatEndedWithItsCounts() throws InterruptedException {
        Counters counters = new Counters();
        for (int generation = 0; generation < 3 * Counters.LANES; generation++) {
            CountDownLatch go = new CountDownLatch(0);
            counting(counters, Counter.GROUPS, 5_000, go).join();
        }

        assertThat(counters.get(Counter.GROUPS)).isEqualTo(3L * Counters.LANES * 5_000);
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void countsOfEveryKindStayApart(boolean shared) {
        Counters counters = shared ? Counters.shared() : new Counters();
        for (Counter c : Counter.all()) {
            counters.add(c, c.ordinal() + 1);
        }

        for (Counter c : Counter.all()) {
            assertThat(counters.get(c)).as(c.name()).isEqualTo(c.ordinal() + 1);
        }
    }

    @Test
    void aSnapshotShowsEachCounterInItsOwnField() {
        Counters counters = new Counters();
        for (Counter c : Counter.all()) {
            counters.add(c, c.ordinal() + 1);
        }

        FaultCounts snapshot = counters.snapshot(7);

        assertThat(snapshot.pending()).isEqualTo(7);
        assertThat(snapshot.reported()).isEqualTo(Counter.REPORTED.ordinal() + 1);
        assertThat(snapshot.mixedPasid()).isEqualTo(Counter.MIXED_PASID.ordinal() + 1);
        for (Counter c : Counter.all()) {
            assertThat(c.of(snapshot)).as(c.name()).isEqualTo(c.ordinal() + 1);
        }
    }

    /**
     * Every value of {@link FaultCounts} (each builder method) is a counter or {@code pending}: a sum that dropped a
     * field (a counter added to the api but not here) would differ from its single summand.
     */
    @Test
    void aSumKeepsEveryFieldOfFaultCounts() throws ReflectiveOperationException {
        FaultCounts.Builder b = FaultCounts.builder();
        long value = 1;
        for (Method m : FaultCounts.Builder.class.getMethods()) {
            if (m.getReturnType() == FaultCounts.Builder.class && m.getParameterCount() == 1
                    && m.getParameterTypes()[0] == long.class) {
                m.invoke(b, value++);
            }
        }
        FaultCounts one = b.build();

        assertThat(value).isGreaterThan(Counter.all().length);
        assertThat(Counters.sum(List.of(one))).isEqualTo(one);
        assertThat(Counters.sum(List.of(one, one)).timedOut()).isEqualTo(2 * one.timedOut());
        assertThat(Counters.sum(List.of(one, one)).pending()).isEqualTo(2 * one.pending());
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void oneIncrementCountsAnInlineGroupsReportFormingDispatchAndAnswer(boolean shared) {
        Counters counters = shared ? Counters.shared() : new Counters();
        counters.countAnsweredGroup(ResponseCode.SUCCESS);
        counters.countAnsweredGroup(ResponseCode.SUCCESS);
        counters.countAnsweredGroup(ResponseCode.FAILURE);
        counters.increment(Counter.REPORTED);
        counters.increment(Counter.PARKED);

        FaultCounts c = counters.snapshot(0);
        assertThat(c.reported()).isEqualTo(4);
        assertThat(c.groups()).isEqualTo(3);
        assertThat(c.dispatched()).isEqualTo(3);
        assertThat(c.answeredSuccess()).isEqualTo(2);
        assertThat(c.answeredFailure()).isEqualTo(1);
        assertThat(c.answeredInvalid()).isZero();
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aSnapshotAddsTheGroupsOfCallsInProgress() {
        Counters counters = new Counters();
        counters.countAnsweredGroup(ResponseCode.INVALID);

        FaultCounts c = counters.snapshot(1, 1, 1);
        assertThat(c.reported()).isEqualTo(2);
        assertThat(c.groups()).isEqualTo(2);
        assertThat(c.dispatched()).isEqualTo(2);
        assertThat(c.pending()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }
}
