package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.GuestsOnOneIommu.NIC1;
import static dev.faultline.viommu.internal.GuestsOnOneIommu.NIC2;
import static dev.faultline.viommu.internal.GuestsOnOneIommu.pageRequest;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.PageRequestEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Attack: a guest answers a page request group that belongs to another guest, by guessing or learning the other
 * guest's cookie. Cookies are per guest, so the answer either names nothing the attacker holds (rejected as
 * forged, counted) or names the attacker's own group; the victim's group is untouched and answered once, by the
 * victim.
 */
class GuestAnswersAnotherGuestsFaultTest {
    private final GuestsOnOneIommu host = new GuestsOnOneIommu(60_000);

    @AfterEach
    void close() {
        host.close();
    }

    @Test
    void theOtherGuestsCookieIsRejectedAsForgedAndTheVictimStillAnswersItsGroupOnce() {
        pageRequest(host.nic2, Pasid.NONE, 7, 0x7000);
        int victimCookie = ((PageRequestEvent) host.vm2.poll(1).get(0)).cookie();

        assertThat(host.vm1.respond(victimCookie, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(host.vm1.respond(victimCookie, 1)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(host.answers.of(NIC2)).as("nothing reached the victim's device").isEmpty();
        assertThat(host.vm1.statistics().forged()).isEqualTo(2);

        assertThat(host.vm2.respond(victimCookie, 1)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(host.answers.of(NIC2)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.INVALID);
        assertThat(host.vm2.statistics().forged()).isZero();
    }

    @Test
    void theSameCookieNumberInTheAttackersOwnSpaceAnswersOnlyTheAttackersOwnGroup() {
        pageRequest(host.nic2, Pasid.NONE, 3, 0x3000);
        pageRequest(host.nic1, Pasid.NONE, 3, 0x3000); // same group id, same virtual device id
        int victimCookie = ((PageRequestEvent) host.vm2.poll(1).get(0)).cookie();
        int ownCookie = ((PageRequestEvent) host.vm1.poll(1).get(0)).cookie();
        assertThat(ownCookie).isEqualTo(victimCookie); // both guests count from 1

        assertThat(host.vm1.respond(victimCookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);

        assertThat(host.answers.of(NIC1)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.SUCCESS);
        assertThat(host.answers.of(NIC2)).as("the victim's group is still the victim's").isEmpty();
        assertThat(host.vm2.statistics().pending()).isEqualTo(1);
        assertThat(host.vm2.respond(victimCookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(host.answers.of(NIC2)).hasSize(1);
    }

    @Test
    void aGuestCannotAnswerCookiesItWasNeverGivenWhateverTheNumber() {
        for (int i = 0; i < 5; i++) {
            pageRequest(host.nic2, Pasid.NONE, i, 0x1000L * i);
        }
        host.vm2.poll(5);
        int[] guesses = {0, 1, 2, 3, 4, 5, 6, -1, Integer.MAX_VALUE, Integer.MIN_VALUE};
        for (int cookie : guesses) {
            assertThat(host.vm1.respond(cookie, 0)).as("cookie %d", cookie).isEqualTo(AnswerOutcome.FORGED);
        }
        assertThat(host.answers.of(NIC2)).isEmpty();
        assertThat(host.vm1.statistics().forged()).isEqualTo(guesses.length);
        assertThat(host.vm2.statistics().pending()).isEqualTo(5);
    }
}
