package dev.faultline.core.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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

    private static void await(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
