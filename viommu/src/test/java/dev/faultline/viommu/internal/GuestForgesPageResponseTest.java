package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.GuestsOnOneIommu.NIC1;
import static dev.faultline.viommu.internal.GuestsOnOneIommu.pageRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.PageRequestEvent;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attack: a guest forges the answer to a page request group, naming the wrong group (a cookie never issued, or not
 * yet read), answering twice, answering for a device it no longer owns or after the host answered, choosing the
 * PASID, or sending a code the guest may not send. A guest's answer carries only a cookie and a code; the device,
 * PASID and group come from the host's record of the cookie, so each forgery is rejected and counted, and the
 * device gets exactly one answer.
 */
class GuestForgesPageResponseTest {
    private GuestsOnOneIommu host = new GuestsOnOneIommu(60_000);

    @AfterEach
    void close() {
        host.close();
    }

    private int readOne() {
        return ((PageRequestEvent) host.vm1.poll(1).get(0)).cookie();
    }

    private List<ResponseCode> deviceAnswers() {
        return host.answers.of(NIC1).stream().map(GuestsOnOneIommu.Answers.Answer::code).toList();
    }

    @Test
    void wrongGroupACookieNeverIssuedIsForged() {
        pageRequest(host.nic1, 5, 1, 0x1000);
        int cookie = readOne();

        assertThat(host.vm1.respond(cookie + 1, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(host.vm1.respond(0, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(deviceAnswers()).isEmpty();
        assertThat(host.vm1.respond(cookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(deviceAnswers()).containsExactly(ResponseCode.SUCCESS);
        assertThat(host.vm1.statistics().forged()).isEqualTo(2);
    }

    @Test
    void wrongGroupACookieIssuedButNotYetReadIsForged() {
        pageRequest(host.nic1, 5, 1, 0x1000);
        pageRequest(host.nic1, 5, 2, 0x2000);
        int first = readOne(); // the second group is queued, unread: its cookie is first + 1

        assertThat(host.vm1.respond(first + 1, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(deviceAnswers()).isEmpty();
        int second = readOne();
        assertThat(second).isEqualTo(first + 1);
        assertThat(host.vm1.respond(second, 1)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(host.answers.of(NIC1)).extracting(GuestsOnOneIommu.Answers.Answer::groupId).containsExactly(2);
    }

    @Test
    void aReplayedAnswerIsRejectedAndTheDeviceHearsOnlyTheFirst() {
        pageRequest(host.nic1, 5, 1, 0x1000);
        int cookie = readOne();

        assertThat(host.vm1.respond(cookie, 1)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(host.vm1.respond(cookie, 0)).isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(host.vm1.respond(cookie, 1)).isEqualTo(AnswerOutcome.REPLAYED);
        assertThat(deviceAnswers()).containsExactly(ResponseCode.INVALID);
        assertThat(host.vm1.statistics().replayed()).isEqualTo(2);
    }

    @Test
    void wrongCodeFailureAndUndefinedCodesAreRejectedAndTheGroupStaysPending() {
        pageRequest(host.nic1, 5, 1, 0x1000);
        int cookie = readOne();
        int[] codes = {2, 3, 15, -1, 0x100, Integer.MAX_VALUE, Integer.MIN_VALUE};

        for (int code : codes) {
            assertThat(host.vm1.respond(cookie, code)).as("code %d", code).isEqualTo(AnswerOutcome.INVALID_CODE);
        }
        assertThat(deviceAnswers()).isEmpty();
        assertThat(host.vm1.statistics().invalidCode()).isEqualTo(codes.length);
        assertThat(host.vm1.respond(cookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(deviceAnswers()).containsExactly(ResponseCode.SUCCESS);
    }

    @Test
    void wrongDeviceAnAnswerForADeviceTakenFromTheGuestIsLate() {
        pageRequest(host.nic1, 5, 1, 0x1000);
        int cookie = readOne();

        assertThat(host.vm1.removeDevice(NIC1)).isEqualTo(1);
        assertThat(deviceAnswers()).as("the host answered at the detach").containsExactly(ResponseCode.INVALID);
        assertThat(host.vm1.respond(cookie, 0)).isEqualTo(AnswerOutcome.LATE);
        assertThat(deviceAnswers()).hasSize(1);
        assertThat(host.vm1.statistics().late()).isEqualTo(1);
    }

    @Test
    void wrongPasidTheAnswerGoesToThePasidOfTheCookiesGroupNotOneTheGuestChooses() {
        pageRequest(host.nic1, 5, 1, 0x1000);
        pageRequest(host.nic1, 6, 1, 0x1000); // the same group id on another PASID
        int onPasid5 = readOne();
        readOne();

        assertThat(host.vm1.respond(onPasid5, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(host.answers.of(NIC1)).extracting(GuestsOnOneIommu.Answers.Answer::pasid).containsExactly(5);
        assertThat(host.vm1.statistics().pending()).isEqualTo(1);
    }

    @Test
    void anAnswerAfterTheHostsDeadlineIsLate() {
        host.close();
        host = new GuestsOnOneIommu(20);
        pageRequest(host.nic1, 5, 1, 0x1000);
        int cookie = readOne();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (deviceAnswers().isEmpty()) {
            assertThat(System.nanoTime() - deadline).as("the core's deadline answered").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }

        assertThat(host.vm1.respond(cookie, 0)).isEqualTo(AnswerOutcome.LATE);
        assertThat(deviceAnswers()).containsExactly(ResponseCode.INVALID);
        assertThat(host.core.statistics().totals().timedOut()).isEqualTo(1);
    }
}
