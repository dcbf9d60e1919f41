package dev.faultline.testkit.group;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.testkit.clock.ManualClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordingFaultGroupTest {
    private static final DeviceId DEVICE = DeviceId.parse("0000:00:05.0");

    @Test
    void theFirstAnswerCountsAndLaterOnesAreRefusedAndCounted() {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 3, 7, 0x4000, Permissions.WRITE);
        assertThat(group.answered()).isFalse();
        assertThat(group.answer()).isEmpty();
        assertThat(group.respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(group.respond(ResponseCode.FAILURE)).isFalse();
        assertThat(group.answer()).contains(ResponseCode.SUCCESS);
        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS, ResponseCode.FAILURE);
        assertThat(group.duplicates()).isEqualTo(1);
        assertThat(group.answeringThreads()).containsOnly(Thread.currentThread().getName());
    }

    @Test
    void showsTheFaultAsTheCoreWould() {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequests(
                PageRequest.last(DEVICE, 7, 0x1000, Permissions.READ).withPasid(2, true),
                PageRequest.last(DEVICE, 7, 0x2000, Permissions.WRITE).withPasid(2, true));
        assertThat(group.device()).isEqualTo(DEVICE);
        assertThat(group.recoverable()).isTrue();
        assertThat(group.size()).isEqualTo(2);
        assertThat(group.pasid()).isEqualTo(2);
        assertThat(group.hasPasid()).isTrue();
        assertThat(group.groupId()).isEqualTo(7);
        assertThat(group.address(0)).isEqualTo(0x1000);
        assertThat(group.permissions(1)).isEqualTo(Permissions.WRITE);
        assertThat(group.addressValid()).isTrue();
        assertThat(group.fetchAddressValid()).isFalse();
        assertThat(group.hardwareRecord()).isEqualTo(HardwareRecord.NONE);

        RecordingFaultGroup pasidless = RecordingFaultGroup.pageRequest(DEVICE, Pasid.NONE, 1, 0, Permissions.READ);
        assertThat(pasidless.hasPasid()).isFalse();

        UnrecoverableFault fault = new UnrecoverableFault(DEVICE, UnrecoverableFault.FETCH_ADDR_VALID, Pasid.NONE,
                Permissions.READ, 0, 0x8000, HardwareRecord.NONE);
        RecordingFaultGroup unrecoverable = RecordingFaultGroup.unrecoverable(fault);
        assertThat(unrecoverable.recoverable()).isFalse();
        assertThat(unrecoverable.groupId()).isEqualTo(-1);
        assertThat(unrecoverable.addressValid()).isFalse();
        assertThat(unrecoverable.fetchAddressValid()).isTrue();
        assertThat(unrecoverable.fetchAddress()).isEqualTo(0x8000);
        assertThat(unrecoverable.faults()).containsExactly(fault);
    }

    @Test
    void aDeferredGroupIsAnsweredThroughItsHandleFromAnotherThread() throws InterruptedException {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 1, 4, 0x3000, Permissions.READ);
        DeferredGroup handle = group.defer();
        assertThat(group.deferred()).isTrue();
        Thread answering = new Thread(() -> handle.respond(ResponseCode.SUCCESS), "driver-worker");
        answering.start();
        assertThat(group.awaitAnswer(Duration.ofSeconds(30))).isTrue();
        answering.join();
        assertThat(group.answers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(group.answeringThreads()).containsExactly("driver-worker");
        assertThat(handle.answered()).isTrue();
        assertThat(handle.handBack()).isFalse();
        assertThat(group.handedBack()).isFalse();
    }

    @Test
    void anAnsweredGroupCannotBeDeferredAndAHandedBackOneCannotBeHandedBackTwice() {
        RecordingFaultGroup answered = RecordingFaultGroup.pageRequest(DEVICE, 1, 4, 0x3000, Permissions.READ);
        answered.respond(ResponseCode.INVALID);
        assertThatThrownBy(answered::defer).isInstanceOf(IllegalStateException.class);

        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 1, 5, 0x3000, Permissions.READ);
        DeferredGroup handle = group.defer();
        assertThat(handle.handBack()).isTrue();
        assertThat(handle.handBack()).isFalse();
        assertThat(group.handedBack()).isTrue();
        assertThat(group.answered()).isFalse();
    }

    @Test
    void expiringPlaysTheCoreAnsweringAtTheDeadline() {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 1, 4, 0x3000, Permissions.READ);
        DeferredGroup handle = group.defer();
        assertThat(group.expire()).isTrue();
        assertThat(handle.respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(group.answer()).contains(ResponseCode.INVALID);
        assertThat(group.duplicates()).isEqualTo(1);
    }

    @Test
    void timesComeFromTheTestsClock() {
        ManualClock clock = ManualClock.at(5_000);
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 1, 4, 0x3000, Permissions.READ)
                .reportedAt(clock).deadlineAfter(Duration.ofMillis(50));
        assertThat(group.reportedNanos()).isEqualTo(5_000);
        assertThat(group.defer().deadlineNanos()).isEqualTo(5_000 + 50_000_000);
        assertThat(group.noDeadline().defer().deadlineNanos()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void keepsTheFirstAnswersAndCountsTheRest() {
        RecordingFaultGroup group = RecordingFaultGroup.unrecoverable(DEVICE, 0x1000, Permissions.READ);
        for (int i = 0; i < RecordingFaultGroup.KEPT + 5; i++) {
            group.respond(ResponseCode.FAILURE);
        }
        assertThat(group.answerCount()).isEqualTo(RecordingFaultGroup.KEPT + 5);
        assertThat(group.answers()).hasSize(RecordingFaultGroup.KEPT);
        assertThat(group.duplicates()).isEqualTo(RecordingFaultGroup.KEPT + 4);
    }

    @Test
    void aGroupDeferredByTokenIsAnsweredAndReadThroughItsTokensFromAnotherThread() throws InterruptedException {
        RecordingFaultGroup group = RecordingFaultGroup.pageRequest(DEVICE, 3, 7, 0x4000, Permissions.WRITE);
        long token = group.deferToken();
        RecordingTokens tokens = group.tokens();
        assertThat(group.deferred()).isTrue();
        assertThat(tokens.address(token, 0)).isEqualTo(0x4000);
        assertThat(tokens.permissions(token, 0)).isEqualTo(Permissions.WRITE);
        assertThat(tokens.groupId(token)).isEqualTo(7);
        assertThat(tokens.device(token)).isEqualTo(DEVICE);

        Thread worker = new Thread(() -> tokens.respond(token, ResponseCode.SUCCESS), "worker");
        worker.start();
        assertThat(group.awaitAnswer(Duration.ofSeconds(10))).isTrue();
        worker.join();

        assertThat(group.answer()).contains(ResponseCode.SUCCESS);
        assertThat(group.answeringThreads()).containsExactly("worker");
        assertThat(tokens.respond(token, ResponseCode.INVALID)).isFalse();
        assertThat(group.duplicates()).isEqualTo(1);
        assertThatThrownBy(() -> tokens.size(token)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void groupsSharingTokensKeepTheirOwnAnswersAndAnUnknownTokenIsAnError() {
        RecordingTokens shared = new RecordingTokens();
        RecordingFaultGroup a = RecordingFaultGroup.pageRequest(DEVICE, 1, 1, 0x1000, Permissions.READ)
                .usingTokens(shared);
        RecordingFaultGroup b = RecordingFaultGroup.pageRequest(DEVICE, 1, 2, 0x2000, Permissions.READ)
                .usingTokens(shared);
        long ta = a.deferToken();
        long tb = b.deferToken();

        assertThat(ta).isNotEqualTo(tb);
        assertThat(a.deferToken()).isEqualTo(ta);
        assertThat(a.tokens()).isSameAs(b.tokens());
        assertThat(shared.respond(tb, ResponseCode.INVALID)).isTrue();
        assertThat(shared.handBack(ta)).isTrue();
        assertThat(a.handedBack()).isTrue();
        assertThat(shared.answered(ta)).isTrue();
        assertThat(a.answer()).isEmpty();
        assertThat(b.answer()).contains(ResponseCode.INVALID);
        assertThatThrownBy(() -> shared.respond(5, ResponseCode.SUCCESS)).isInstanceOf(IllegalArgumentException.class);
    }
}
