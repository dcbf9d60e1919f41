package dev.faultline.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class QueuePassTest {
    private final QueuePass pass = new QueuePass(2);

    @Test
    void nothingIsAbandonedWithoutAReportInFlight() {
        pass.enter();
        assertThat(pass.abandonReport()).isFalse();
        pass.reportStarts();
        assertThat(pass.reportEnded()).isTrue();
        assertThat(pass.abandonReport()).as("the report ended before the core looked").isFalse();
        assertThat(pass.heldByCurrentThread()).isTrue();
        pass.leave();
        assertThat(pass.abandoned()).isZero();
    }

    @Test
    void anAbandonedThreadLearnsItAtTheEndOfItsReportAndItsSuccessorLeavesThePass() throws Exception {
        CountDownLatch inReport = new CountDownLatch(1);
        CountDownLatch handlerReturns = new CountDownLatch(1);
        CompletableFuture<Boolean> stillMine = CompletableFuture.supplyAsync(() -> {
            pass.enter();
            pass.reportStarts();
            inReport.countDown();
            await(handlerReturns);
            return pass.reportEnded();
        });
        assertThat(inReport.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(pass.abandonReport()).isTrue();
        assertThat(pass.abandonReport()).as("once per report").isFalse();
        assertThat(pass.enter(TimeUnit.MILLISECONDS.toNanos(10))).as("the pass waits for its successor").isFalse();
        CompletableFuture<Boolean> successor = CompletableFuture.supplyAsync(() -> {
            pass.adopt();
            boolean held = pass.heldByCurrentThread();
            pass.reportStarts();
            boolean ended = pass.reportEnded();
            pass.leave();
            return held && ended;
        });
        assertThat(successor.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pass.blocked()).isOne();

        handlerReturns.countDown();
        assertThat(stillMine.get(10, TimeUnit.SECONDS)).as("the pass is no longer the blocked thread's").isFalse();
        assertThat(pass.blocked()).isZero();
        assertThat(pass.abandoned()).isOne();
        assertThat(pass.enter(TimeUnit.SECONDS.toNanos(10))).isTrue();
        pass.leave();
    }

    @Test
    void anAbandonedThreadReturningWhileItsSuccessorReportsNeitherTakesThePassNorEndsTheSuccessorsReport()
            throws Exception {
        CountDownLatch inReport = new CountDownLatch(1);
        CountDownLatch handlerReturns = new CountDownLatch(1);
        CompletableFuture<Boolean> stillMine = CompletableFuture.supplyAsync(() -> {
            pass.enter();
            pass.reportStarts();
            inReport.countDown();
            await(handlerReturns);
            return pass.reportEnded();
        });
        assertThat(inReport.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(pass.abandonReport()).isTrue();
        CountDownLatch successorReports = new CountDownLatch(1);
        CountDownLatch blockedThreadReturned = new CountDownLatch(1);
        CompletableFuture<Boolean> successor = CompletableFuture.supplyAsync(() -> {
            pass.adopt();
            pass.reportStarts();
            successorReports.countDown();
            await(blockedThreadReturned); // the blocked thread's handler returns during this report
            boolean ended = pass.reportEnded();
            pass.leave();
            return ended;
        });
        assertThat(successorReports.await(10, TimeUnit.SECONDS)).isTrue();

        handlerReturns.countDown();
        assertThat(stillMine.get(10, TimeUnit.SECONDS)).as("the blocked thread's pass is gone").isFalse();
        blockedThreadReturned.countDown();

        assertThat(successor.get(10, TimeUnit.SECONDS)).as("the successor's report is still its own").isTrue();
        assertThat(pass.blocked()).isZero();
        assertThat(pass.enter(TimeUnit.SECONDS.toNanos(10))).isTrue();
        pass.leave();
    }

    @Test
    void pastTheLimitOfHeldThreadsABlockedReportKeepsThePass() {
        for (int i = 0; i < 2; i++) {
            pass.adopt();
            pass.reportStarts();
            assertThat(pass.abandonReport()).isTrue();
        }
        pass.adopt();
        pass.reportStarts();
        assertThat(pass.abandonReport()).isFalse();
        assertThat(pass.refused()).isOne();
        assertThat(pass.blocked()).isEqualTo(2);
        assertThat(pass.reportEnded()).as("the third report's thread keeps the pass").isTrue();
    }

    @Test
    void onlyTheHolderLeavesAndTheLimitIsNotNegative() {
        assertThatThrownBy(pass::leave).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new QueuePass(-1)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aTeardownsPassRunsOnceAndLeavesThePassFree() throws Exception {
        AtomicInteger runs = new AtomicInteger();

        assertThat(pass.passWithin(TimeUnit.SECONDS.toNanos(10), () -> {
            runs.incrementAndGet();
            return pass.heldByCurrentThread();
        })).isEqualTo(QueuePass.Drain.RAN);

        assertThat(runs).hasValue(1);
        assertThat(pass.heldByCurrentThread()).isFalse();
        assertThat(CompletableFuture.supplyAsync(() -> pass.passWithin(0, () -> true)).get(10, TimeUnit.SECONDS))
                .as("left for the next one").isEqualTo(QueuePass.Drain.RAN);
    }

    @Test
    void fromInsideAPassNothingRunsAndThePassStaysTheCallers() {
        pass.enter();

        assertThat(pass.passWithin(TimeUnit.SECONDS.toNanos(10), () -> {
            throw new AssertionError("ran inside the pass");
        })).isEqualTo(QueuePass.Drain.INSIDE_PASS);

        assertThat(pass.heldByCurrentThread()).isTrue();
        pass.leave();
    }

    @Test
    void aPassHeldElsewhereTimesOutOrIsInterruptedWithoutRunning() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> {
            pass.enter();
            held.countDown();
            await(release);
            pass.leave();
        });
        assertThat(held.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(pass.passWithin(TimeUnit.MILLISECONDS.toNanos(1), () -> {
            throw new AssertionError("ran while held elsewhere");
        })).isEqualTo(QueuePass.Drain.TIMED_OUT);
        Thread.currentThread().interrupt();
        assertThat(pass.passWithin(TimeUnit.SECONDS.toNanos(10), () -> {
            throw new AssertionError("ran although interrupted");
        })).isEqualTo(QueuePass.Drain.INTERRUPTED);
        assertThat(Thread.interrupted()).as("the interrupt status is kept").isTrue();

        release.countDown();
        holder.get(10, TimeUnit.SECONDS);
    }

    @Test
    void aPassAbandonedToASuccessorRunsAgainAfterTheSuccessorsStep() throws Exception {
        AtomicInteger runs = new AtomicInteger();
        AtomicInteger steps = new AtomicInteger();
        AtomicInteger thens = new AtomicInteger();

        QueuePass.Drain drain = pass.passWithin(TimeUnit.SECONDS.toNanos(10), () -> {
            if (runs.incrementAndGet() > 1) {
                return true;
            }
            pass.reportStarts();
            // the core finds this report blocked: the rest of the pass goes to a fresh thread
            assertThat(pass.handOver(successor -> new Thread(successor, "successor").start(),
                    steps::incrementAndGet, thens::incrementAndGet)).isTrue();
            return pass.reportEnded();
        });

        assertThat(drain).isEqualTo(QueuePass.Drain.RAN);
        assertThat(runs).as("once abandoned, once to the end").hasValue(2);
        assertThat(steps).as("the successor stepped past the record in flight first").hasValue(1);
        assertThat(pass.abandoned()).isOne();
        assertThat(pass.blocked()).isZero();
        assertThat(pass.passWithin(TimeUnit.SECONDS.toNanos(10), () -> true)).isEqualTo(QueuePass.Drain.RAN);
    }

    @Test
    void withoutAReportInFlightNoSuccessorIsStarted() {
        pass.enter();
        pass.reportStarts();
        assertThat(pass.reportEnded()).isTrue();

        assertThat(pass.handOver(successor -> {
            throw new AssertionError("started");
        }, () -> { }, () -> { })).isFalse();
        assertThat(pass.handOver("none", () -> { }, () -> { })).isNull();

        pass.leave();
    }

    @Test
    void aSuccessorAdoptsStepsLeavesThenGoesOn() {
        pass.enter();
        pass.reportStarts();
        assertThat(pass.abandonReport()).isTrue();
        StringBuilder order = new StringBuilder();

        pass.successor(() -> order.append(pass.heldByCurrentThread() ? "step " : "unheld-step "),
                () -> order.append(pass.heldByCurrentThread() ? "held-then" : "then")).run();

        assertThat(order).hasToString("step then");
        assertThat(pass.reportEnded()).isFalse();
    }

    @Test
    void tryEnterTakesAFreePassAndOtherwiseReturnsAtOnce() throws Exception {
        assertThat(pass.tryEnter()).isTrue();
        assertThat(pass.heldByCurrentThread()).isTrue();
        assertThat(CompletableFuture.supplyAsync(pass::tryEnter).get(10, TimeUnit.SECONDS))
                .as("held by another thread").isFalse();
        pass.reportStarts();
        assertThat(pass.abandonReport()).isTrue();
        assertThat(pass.tryEnter()).as("abandoned, waiting for its successor").isFalse();
        pass.adopt();
        pass.leave();
        assertThat(CompletableFuture.supplyAsync(() -> {
            boolean taken = pass.tryEnter();
            pass.leave();
            return taken;
        }).get(10, TimeUnit.SECONDS)).as("free again").isTrue();
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
