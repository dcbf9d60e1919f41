package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.LAST;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Every change of owner (detach, replace, nested re-attach, device removal, handler departure) is a barrier:
 * before it returns, the groups formed under the old owner are answered INVALID once, their partials are gone,
 * and a later answer from the old owner is refused, counted and never sent.
 */
class ChangeOfOwnerTest {
    private static final int PASID_A = 5;
    private static final int PASID_B = 6;
    private final Fixture f = new Fixture();
    private final Handlers.Deferring oldOwner = new Handlers.Deferring();
    private final Handlers.Answering newOwner = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        f.close();
    }

    private static ReportOutcome request(DevicePort d, int pasid, int group, int flags, long address) {
        return d.reportPageRequest(pasid, group, flags | (pasid == Pasid.NONE ? 0 : PageRequest.FLAG_PASID_VALID),
                Permissions.READ, address, 0, 0);
    }

    private List<RecordingBackend.Response> sentFor(int pasid) {
        return f.backend.responses().stream().filter(s -> s.pasid() == pasid).toList();
    }

    @Test
    void detachingAPasidAnswersItsPendingGroupsInvalidAtOnceRefusesTheOldOwnersLateAnswerAndLeavesOtherPasidsAlone() {
        f.register(oldOwner, HandlerProperties.DOMAIN, "old");
        DevicePort d = f.device(DEV);
        d.attach(PASID_A, Domain.sva("old"));
        d.attach(PASID_B, Domain.sva("old"));
        request(d, PASID_A, 1, LAST, 0x1000);
        request(d, PASID_B, 2, LAST, 0x2000);

        d.detach(PASID_A);

        assertThat(sentFor(PASID_A)).singleElement().satisfies(s -> {
            assertThat(s.groupId()).isEqualTo(1);
            assertThat(s.code()).isEqualTo(ResponseCode.INVALID);
        });
        assertThat(oldOwner.held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(sentFor(PASID_A)).hasSize(1);
        assertThat(sentFor(PASID_B)).isEmpty();
        assertThat(oldOwner.held.get(1).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(sentFor(PASID_B)).singleElement().extracting(RecordingBackend.Response::code)
                .isEqualTo(ResponseCode.SUCCESS);

        FaultCounts c = f.pipeline.totals();
        assertThat(c.answeredAtDetach()).isEqualTo(1);
        assertThat(c.staleAnswers()).isEqualTo(1);
        assertThat(c.duplicates()).isZero();
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void replacingTheDomainAnswersTheOldOwnersGroupsAndTheNewOwnerSeesNothingOfThem() {
        f.register(oldOwner, HandlerProperties.DOMAIN, "old");
        f.register(newOwner, HandlerProperties.DOMAIN, "new");
        DevicePort d = f.device(DEV);
        d.attach(PASID_A, Domain.sva("old"));
        request(d, PASID_A, 0, 0, 0x1000);
        request(d, PASID_A, 1, LAST, 0x2000);
        request(d, PASID_A, 3, 0, 0x3000);

        d.attach(PASID_A, Domain.sva("new"));

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.devices().get(0).partials()).isZero();
        assertThat(oldOwner.held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        request(d, PASID_A, 3, LAST, 0x4000);
        assertThat(newOwner.seen).containsExactly("group 3 pasid 5 addrs 4000");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.SUCCESS);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.discardedPartials()).isEqualTo(2);
        assertThat(c.answeredAtDetach()).isEqualTo(1);
        assertThat(c.staleAnswers()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aChangeDiscardsThePartialsOfItsPasidOnly() {
        f.register(newOwner, HandlerProperties.DOMAIN, "new");
        DevicePort d = f.device(DEV);
        d.attach(PASID_A, Domain.sva("new"));
        d.attach(PASID_B, Domain.sva("new"));
        request(d, PASID_A, 4, 0, 0x1000);
        request(d, PASID_B, 4, 0, 0x2000);

        d.detach(PASID_A);
        d.attach(PASID_A, Domain.sva("new"));
        request(d, PASID_A, 4, LAST, 0x3000);
        request(d, PASID_B, 4, LAST, 0x4000);

        assertThat(newOwner.seen).containsExactly("group 4 pasid 5 addrs 3000", "group 4 pasid 6 addrs 2000 4000");
        assertThat(f.pipeline.totals().discardedPartials()).isEqualTo(1);
    }

    @Test
    void aHandlerCallRunningWhenItsOwnerChangesIsAnsweredAtOnceAndItsAnswerIsRefused() throws Exception {
        Handlers.Blocking blocking = new Handlers.Blocking(1);
        f.register(blocking, HandlerProperties.DOMAIN, "old");
        DevicePort d = f.device(DEV);
        d.attach(PASID_A, Domain.sva("old"));
        CompletableFuture<ReportOutcome> report = CompletableFuture.supplyAsync(() -> request(d, PASID_A, 9, LAST,
                0x1000));
        assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();

        d.detach(PASID_A);

        assertThat(f.backend.responses()).singleElement().satisfies(s -> {
            assertThat(s.groupId()).isEqualTo(9);
            assertThat(s.code()).isEqualTo(ResponseCode.INVALID);
        });
        blocking.release.countDown();
        assertThat(report.get(10, TimeUnit.SECONDS)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(f.backend.responses()).hasSize(1);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.staleAnswers()).isEqualTo(1);
        assertThat(c.abandoned()).isZero();
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aHandlerThatDetachesItsOwnPasidFromInsideItsCallHasItsGroupAnsweredOnceByTheChange() {
        List<Boolean> answers = new CopyOnWriteArrayList<>();
        DevicePort d = f.device(DEV);
        FaultHandler detachesItself = (FaultGroup g) -> {
            d.detach(g.pasid());
            answers.add(g.respond(ResponseCode.SUCCESS));
        };
        f.register(detachesItself, HandlerProperties.DOMAIN, "old");
        d.attach(PASID_A, Domain.sva("old"));

        request(d, PASID_A, 2, LAST, 0x1000);

        assertThat(answers).containsExactly(false);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().answeredAtDetach()).isEqualTo(1);
    }

    @Test
    void reAttachingANestedPasidlessDomainAnswersTheGroupsOfThePasidsThatFellBackToItOnly() {
        Handlers.Deferring own = new Handlers.Deferring();
        f.register(oldOwner, HandlerProperties.DOMAIN, "guest", HandlerProperties.GUEST, "vm1");
        f.register(own, HandlerProperties.DOMAIN, "own");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.nested("guest", "vm1"));
        d.attach(PASID_B, Domain.sva("own"));
        request(d, PASID_A, 1, LAST, 0x1000);
        request(d, Pasid.NONE, 2, LAST, 0x2000);
        request(d, PASID_B, 3, LAST, 0x3000);

        d.attach(Pasid.NONE, Domain.nested("guest", "vm1"));

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactlyInAnyOrder(1, 2);
        assertThat(f.backend.codes()).containsOnly(ResponseCode.INVALID);
        assertThat(own.held.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(oldOwner.held).allSatisfy(g -> assertThat(g.respond(ResponseCode.SUCCESS)).isFalse());
        assertThat(f.backend.responses()).hasSize(3);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.answeredAtDetach()).isEqualTo(2);
        assertThat(c.staleAnswers()).isEqualTo(2);
    }

    @Test
    void aQueuedGroupWhoseOwnerChangesIsAnsweredAndNeverHandedToTheOldHandler() throws Exception {
        Handlers.Blocking blocking = new Handlers.Blocking(1);
        f.register(blocking, HandlerProperties.DOMAIN, "old", HandlerProperties.DISPATCH, "queued");
        DevicePort d = f.device(DEV);
        d.attach(PASID_A, Domain.sva("old"));
        request(d, PASID_A, 1, LAST, 0x1000);
        assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
        request(d, PASID_A, 2, LAST, 0x2000);

        d.detach(PASID_A);

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactlyInAnyOrder(1, 2);
        assertThat(f.backend.codes()).containsOnly(ResponseCode.INVALID);
        blocking.release.countDown();
        Await.until(() -> f.pipeline.totals().staleAnswers() == 1);
        assertThat(f.backend.responses()).hasSize(2);
        assertThat(f.pipeline.totals().answeredAtDetach()).isEqualTo(2);
    }

    @Test
    void removalAndHandlerDepartureHaveTheirOwnCounters() {
        long service = f.register(oldOwner, HandlerProperties.DOMAIN, "old");
        DevicePort d = f.device(DEV);
        d.attach(PASID_A, Domain.sva("old"));
        request(d, PASID_A, 1, LAST, 0x1000);
        f.pipeline.removeHandler(service);
        // what the departed handler still holds when its clean-up window ends is answered at departure
        f.ticker.advance(HandlerPolicy.DEFAULTS.cleanupNanos() + 1, TimeUnit.NANOSECONDS);
        f.pipeline.expireDeadlines();
        f.register(oldOwner, HandlerProperties.DOMAIN, "old");
        request(d, PASID_A, 2, LAST, 0x2000);

        d.remove();

        FaultCounts c = f.pipeline.totals();
        assertThat(c.answeredAtDeparture()).isEqualTo(1);
        assertThat(c.answeredAtRemoval()).isEqualTo(1);
        assertThat(c.answeredAtDetach()).isZero();
        assertThat(oldOwner.held.get(1).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(f.pipeline.totals().staleAnswers()).isEqualTo(1);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
    }
}
