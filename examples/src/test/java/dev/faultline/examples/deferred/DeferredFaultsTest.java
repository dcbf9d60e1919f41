package dev.faultline.examples.deferred;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.examples.testing.Deadline;
import dev.faultline.testkit.group.RecordingFaultGroup;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeferredFaultsTest {
    private static final DeviceId DEVICE = DeviceId.parse("0000:00:06.0");
    private static final String WORKER = "deferred-faults-test";

    private final CountDownLatch release = new CountDownLatch(1);
    private DeferredFaults handler;

    @AfterEach
    void close() {
        release.countDown();
        if (handler != null) {
            handler.close();
        }
    }

    @Test
    void defersOnTheFaultThreadAndAnswersFromItsWorker() throws Exception {
        handler = new DeferredFaults(group -> {
            release.await(10, TimeUnit.SECONDS);
            return ResponseCode.SUCCESS;
        }, WORKER);
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 3, 7, 0x7000, Permissions.READ);

        handler.handle(group);

        assertThat(group.deferred()).isTrue();
        assertThat(group.answers()).as("nothing answered before the slow path finishes").isEmpty();
        release.countDown();
        assertThat(group.awaitAnswer(Duration.ofSeconds(10))).isTrue();
        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(group.answeringThreads()).containsExactly(WORKER);
        assertThat(Deadline.await(() -> handler.answered() == 1, 10)).as("counted as answered").isTrue();
    }

    @Test
    void answersFailureWhenTheSlowPathThrows() throws Exception {
        handler = new DeferredFaults(group -> {
            throw new IllegalStateException("firmware did not answer");
        }, WORKER);
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 3, 7, 0x7000, Permissions.READ);

        handler.handle(group);

        assertThat(group.awaitAnswer(Duration.ofSeconds(10))).isTrue();
        assertThat(group.answers()).containsExactly(ResponseCode.FAILURE);
    }

    @Test
    void handsQueuedGroupsBackWhenClosedAndAnswersLaterOnesInvalidAtOnce() throws Exception {
        CountDownLatch busy = new CountDownLatch(1);
        handler = new DeferredFaults(group -> {
            busy.countDown();
            release.await(10, TimeUnit.SECONDS);
            return ResponseCode.SUCCESS;
        }, WORKER);
        RecordingFaultGroup running = RecordingFaultGroup.pageRequest(DEVICE, 1, 7, 0x1000, Permissions.READ);
        RecordingFaultGroup queued = RecordingFaultGroup.pageRequest(DEVICE, 1, 7, 0x2000, Permissions.READ);
        handler.handle(running);
        assertThat(busy.await(10, TimeUnit.SECONDS)).isTrue();
        handler.handle(queued);

        handler.close();
        RecordingFaultGroup afterClose = RecordingFaultGroup.pageRequest(DEVICE, 1, 7, 0x3000, Permissions.READ);
        handler.handle(afterClose);

        assertThat(queued.answers()).as("a handed-back group is answered by the replacement, not here").isEmpty();
        assertThat(queued.handedBack()).isTrue();
        assertThat(handler.handedBack()).isEqualTo(1);
        assertThat(afterClose.answers()).containsExactly(ResponseCode.INVALID);
        assertThat(running.awaitAnswer(Duration.ofSeconds(10))).as("the interrupted slow path still answers once")
                .isTrue();
        assertThat(running.answers()).hasSize(1);
    }

    @Test
    void countsUnrecoverableFaultsWithoutDeferringThem() {
        handler = new DeferredFaults(group -> ResponseCode.SUCCESS, WORKER);
        RecordingFaultGroup fault = RecordingFaultGroup.unrecoverable(
                UnrecoverableFault.at(DEVICE, 0x9000, Permissions.WRITE));

        handler.handle(fault);

        assertThat(fault.deferred()).isFalse();
        assertThat(fault.answers()).isEmpty();
        assertThat(handler.unrecoverable()).isEqualTo(1);
    }
}
