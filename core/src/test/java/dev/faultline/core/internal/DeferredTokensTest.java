package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.HeldSlots;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Groups deferred by token ({@link FaultGroup#deferToken()}): a token answers and reads only the group it was deferred
 * for, whatever its slot holds next (answered twice, after the deadline, after a change of owner, after its one-off
 * copy was freed and another took its number); refusals are counted on the handler; a token and a handle of one
 * deferral answer it once between them.
 */
class DeferredTokensTest {
    private final Fixture f = new Fixture(Settings.DEFAULTS.withDefaultTimeoutMillis(1000),
            HandlerPolicy.DEFAULTS.withHandover(1000, 3, 500));
    private final ByToken handler = new ByToken();

    /** Defers every group by token. */
    static final class ByToken implements FaultHandler {
        final List<Long> tokens = new CopyOnWriteArrayList<>();
        volatile DeferredTokens desk;

        @Override
        public void handle(FaultGroup group) {
            desk = group.tokens();
            tokens.add(group.deferToken());
        }
    }

    @AfterEach
    void close() {
        f.close();
    }

    private long deferNext(int group) {
        last(f.device(DEV), group, 0x1000L * group);
        return handler.tokens.get(handler.tokens.size() - 1);
    }

    private FaultCounts handlerCounts() {
        return f.pipeline.handlers().get(0).counts();
    }

    @Test
    void aTokenAnsweredTwiceNeverAnswersTheGroupItsSlotHoldsNext() {
        f.registerForDevice(handler, DEV);
        long first = deferNext(1);
        DeferredTokens desk = handler.desk;
        assertThat(desk.respond(first, ResponseCode.SUCCESS)).isTrue();
        long second = deferNext(2);

        assertThat(second).as("the next group reuses the slot, under another generation").isNotEqualTo(first);
        assertThat(desk.respond(first, ResponseCode.INVALID)).isFalse();
        assertThat(desk.answered(first)).isTrue();
        assertThat(desk.answered(second)).isFalse();
        assertThat(desk.respond(second, ResponseCode.SUCCESS)).isTrue();

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(1, 2);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.SUCCESS);
        assertThat(handlerCounts().duplicates()).isEqualTo(1);
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aTokenReadsItsPendingGroupInPlaceAndNothingOnceItIsAnswered() {
        f.registerForDevice(handler, DEV);
        long token = deferNext(5);
        DeferredTokens desk = handler.desk;

        assertThat(desk.size(token)).isEqualTo(1);
        assertThat(desk.address(token, 0)).isEqualTo(0x5000L);
        assertThat(desk.permissions(token, 0)).isEqualTo(Permissions.READ);
        assertThat(desk.device(token)).isEqualTo(DEV);
        assertThat(desk.groupId(token)).isEqualTo(5);
        assertThat(desk.deadlineNanos(token)).isEqualTo(f.ticker.nanoTime() + TimeUnit.SECONDS.toNanos(1));
        assertThatThrownBy(() -> desk.address(token, 1)).isInstanceOf(IndexOutOfBoundsException.class);

        desk.respond(token, ResponseCode.SUCCESS);
        long next = deferNext(6);
        assertThatThrownBy(() -> desk.address(token, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("answered");
        assertThatThrownBy(() -> desk.size(token)).isInstanceOf(IllegalStateException.class);
        assertThat(desk.address(next, 0)).isEqualTo(0x6000L);
        desk.respond(next, ResponseCode.SUCCESS);
    }

    @Test
    void aTokenAnsweredAfterItsDeadlineNeverAnswersTheGroupItsSlotHoldsNext() {
        f.registerForDevice(handler, DEV);
        long late = deferNext(1);
        f.ticker.advance(1, TimeUnit.SECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        long next = deferNext(2);
        DeferredTokens desk = handler.desk;

        assertThat(desk.respond(late, ResponseCode.SUCCESS)).isFalse();
        assertThatThrownBy(() -> desk.size(late)).isInstanceOf(IllegalStateException.class);
        assertThat(desk.answered(next)).isFalse();
        assertThat(desk.respond(next, ResponseCode.SUCCESS)).isTrue();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.SUCCESS);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.timedOut()).isEqualTo(1);
        assertThat(handlerCounts().duplicates()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aTokenAnsweredAfterAChangeOfOwnerIsStaleAndNeverAnswersTheGroupItsSlotHoldsNext() {
        f.register(handler, HandlerProperties.DOMAIN, "dom");
        f.device(DEV).attach(Pasid.NONE, Domain.dma("dom"));
        long old = deferNext(1);
        f.device(DEV).detach(Pasid.NONE);
        f.device(DEV).attach(Pasid.NONE, Domain.dma("dom"));
        long next = deferNext(2);
        DeferredTokens desk = handler.desk;

        assertThat(desk.respond(old, ResponseCode.SUCCESS)).isFalse();
        assertThat(desk.respond(next, ResponseCode.SUCCESS)).isTrue();

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(1, 2);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().answeredAtDetach()).isEqualTo(1);
        assertThat(handlerCounts().staleAnswers()).isEqualTo(1);
        assertThat(handlerCounts().duplicates()).isZero();
    }

    @Test
    void aTokenAndAHandleOfOneDeferralAnswerItOnceBetweenThem() {
        List<DeferredGroup> handles = new CopyOnWriteArrayList<>();
        List<Boolean> sameToken = new CopyOnWriteArrayList<>();
        f.registerForDevice(group -> {
            long token = group.deferToken();
            handler.desk = group.tokens();
            handler.tokens.add(token);
            sameToken.add(group.deferToken() == token);
            handles.add(group.defer());
        }, DEV);
        last(f.device(DEV), 1, 0x1000);
        DeferredTokens desk = handler.desk;
        long token = handler.tokens.get(0);

        assertThat(sameToken).containsExactly(true);
        assertThat(desk.answered(token)).isFalse();
        assertThat(handles.get(0).faults()).singleElement().satisfies(x -> assertThat(x.address()).isEqualTo(0x1000));
        assertThat(handles.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(desk.respond(token, ResponseCode.INVALID)).isFalse();
        assertThat(desk.answered(token)).isTrue();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(handlerCounts().duplicates()).isEqualTo(1);
    }

    @Test
    void aTokenNamingNoHeldSlotIsRefusedAndCountedANegativeOneIsAnError() {
        f.registerForDevice(handler, DEV);
        long token = deferNext(1);
        DeferredTokens desk = handler.desk;

        assertThat(desk.respond(Long.MAX_VALUE, ResponseCode.SUCCESS)).isFalse();
        assertThat(desk.answered(Long.MAX_VALUE)).isTrue();
        assertThatThrownBy(() -> desk.respond(-1, ResponseCode.SUCCESS)).isInstanceOf(IllegalArgumentException.class);
        assertThat(desk.respond(token, ResponseCode.SUCCESS)).isTrue();
        assertThat(handlerCounts().staleAnswers()).isEqualTo(1);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
    }

    @Test
    void beyondThePoolTokensNameOneOffCopiesAndAFreedCopysTokenNeverAnswersTheNextCopy() {
        f.registerForDevice(handler, DEV);
        int groups = HeldSlots.CAPACITY + 8;
        for (int g = 0; g < groups; g++) {
            last(f.device(DEV), g, 0x1000);
        }
        assertThat(f.pipeline.heldOneOffCopies()).isEqualTo(8);
        DeferredTokens desk = handler.desk;
        List<Long> copies = List.copyOf(handler.tokens.subList(HeldSlots.CAPACITY, groups));
        for (long token : copies) {
            assertThat(desk.respond(token, ResponseCode.SUCCESS)).isTrue();
        }
        // new one-off copies take the freed copies' numbers
        for (int g = 0; g < 8; g++) {
            last(f.device(DEV), g, 0x2000);
        }
        assertThat(f.pipeline.heldOneOffCopies()).isEqualTo(16);
        for (long token : copies) {
            assertThat(desk.respond(token, ResponseCode.INVALID)).isFalse();
        }
        assertThat(f.backend.codes()).containsOnly(ResponseCode.SUCCESS).hasSize(8);
        for (long token : handler.tokens) {
            desk.respond(token, ResponseCode.SUCCESS);
        }
        assertThat(f.backend.responses()).hasSize(groups + 8);
        assertThat(f.pipeline.pending()).isEmpty();
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aDepartingHandlerHandsBackByTokenAndItsReplacementAnswers() {
        long id = f.registerForDevice(handler, DEV);
        long token = deferNext(1);
        DeferredTokens desk = handler.desk;
        f.pipeline.removeHandler(id);

        assertThat(desk.handBack(token)).isTrue();
        assertThat(desk.handBack(token)).isFalse();
        assertThat(desk.answered(token)).isTrue();
        assertThat(desk.respond(token, ResponseCode.SUCCESS)).isFalse();
        Handlers.Answering replacement = new Handlers.Answering(ResponseCode.SUCCESS);
        f.registerForDevice(replacement, DEV);

        assertThat(replacement.seen).containsExactly("group 1 pasid -1 addrs 1000");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aQueuedHandlerDefersByTokenAndItsGroupIsAnsweredFromAnotherThread() throws Exception {
        f.register(handler, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.DISPATCH,
                HandlerProperties.DISPATCH_QUEUED);
        last(f.device(DEV), 3, 0x3000);
        Await.until(() -> handler.tokens.size() == 1);
        long token = handler.tokens.get(0);
        DeferredTokens desk = handler.desk;

        assertThat(desk.address(token, 0)).isEqualTo(0x3000L);
        assertThat(f.pipeline.pending()).singleElement().satisfies(p -> assertThat(p.queued()).isFalse());
        Thread answering = new Thread(() -> desk.respond(token, ResponseCode.SUCCESS), "answering");
        answering.start();
        answering.join(10_000);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(desk.respond(token, ResponseCode.SUCCESS)).isFalse();
        Await.until(() -> f.pipeline.totals().balanced());
    }
}
