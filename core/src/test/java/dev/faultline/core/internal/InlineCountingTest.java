package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The inline path counts a group once, when it is answered; the statistics show a group in a handler call as
 * reported, formed, dispatched and pending while the call runs, and balance at rest whoever answers it.
 */
class InlineCountingTest {
    private final Fixture f = new Fixture();

    /** Answers in the middle of its call, then blocks until released. */
    private static final class AnswersThenWaits implements FaultHandler {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        final CountDownLatch answered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);

        @Override
        public void handle(FaultGroup group) {
            entered.countDown();
            await(answer);
            group.respond(ResponseCode.SUCCESS);
            answered.countDown();
            await(release);
        }

        private static void await(CountDownLatch latch) {
            try {
                if (!latch.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("never released");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aGroupInAHandlerCallIsCountedWhileTheCallRunsAndOnceAfterIt() throws Exception {
        AnswersThenWaits handler = new AnswersThenWaits();
        Thread reporter = callOnAFaultThread(handler, handler.entered);

        FaultCounts inCall = f.pipeline.totals();
        assertOneGroupDispatched(inCall);
        assertThat(inCall.answeredSuccess()).isZero();
        assertThat(inCall.pending()).isEqualTo(1);
        assertThat(inCall.balanced()).isTrue();
        FaultCounts handlerInCall = f.pipeline.handlers().get(0).counts();
        assertThat(handlerInCall.dispatched()).isEqualTo(1);
        assertThat(handlerInCall.pending()).isEqualTo(1);

        handler.answer.countDown();
        assertThat(handler.answered.await(10, TimeUnit.SECONDS)).isTrue();
        FaultCounts answeredInCall = f.pipeline.totals();
        assertThat(answeredInCall.groups()).isEqualTo(1);
        assertThat(answeredInCall.answeredSuccess()).isEqualTo(1);
        assertThat(answeredInCall.pending()).isZero();
        assertThat(answeredInCall.balanced()).isTrue();

        handler.release.countDown();
        reporter.join(10_000);
        FaultCounts atRest = f.pipeline.totals();
        assertOneGroupDispatched(atRest);
        assertThat(atRest.answeredSuccess()).isEqualTo(1);
        assertThat(f.backend.responses()).hasSize(1);
    }

    @Test
    void aGroupAnsweredByAChangeOfOwnerDuringItsCallIsCountedOnce() throws Exception {
        Handlers.Blocking handler = new Handlers.Blocking(1);
        Thread reporter = callOnAFaultThread(handler, handler.entered);

        f.device(DEV).detach(Pasid.NONE);
        FaultCounts barred = f.pipeline.totals();
        assertThat(barred.answeredInvalid()).isEqualTo(1);
        assertThat(barred.answeredAtDetach()).isEqualTo(1);
        assertThat(barred.groups()).isEqualTo(1);
        assertThat(barred.balanced()).isTrue();

        handler.release.countDown();
        reporter.join(10_000);
        FaultCounts atRest = f.pipeline.totals();
        assertOneGroupDispatched(atRest);
        assertThat(atRest.answeredInvalid()).isEqualTo(1);
        assertThat(atRest.answeredSuccess()).isZero();
        assertThat(atRest.staleAnswers()).isEqualTo(1);
    }

    /** Registers {@code handler} for the domain attached to the device and reports a fault on a thread of its own. */
    private Thread callOnAFaultThread(FaultHandler handler, CountDownLatch entered) throws InterruptedException {
        f.register(handler, HandlerProperties.DOMAIN, "gpu");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.dma("gpu"));
        Thread reporter = new Thread(() -> last(d, 1, 0x1000), "fault-thread");
        reporter.start();
        assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();
        return reporter;
    }

    /** One group reported, formed and dispatched, for the device and its handler, and the counters balanced. */
    private void assertOneGroupDispatched(FaultCounts totals) {
        assertThat(totals.reported()).isEqualTo(1);
        assertThat(totals.groups()).isEqualTo(1);
        assertThat(totals.dispatched()).isEqualTo(1);
        assertThat(totals.balanced()).isTrue();
        assertThat(f.pipeline.handlers().get(0).counts().dispatched()).isEqualTo(1);
    }

    @Test
    void groupsThatLeaveTheInlinePathAreCountedOnceEach() {
        Handlers.Deferring deferring = new Handlers.Deferring();
        f.register(deferring, HandlerProperties.DOMAIN, "kept");
        f.register(new Handlers.NeverAnswers(), HandlerProperties.DOMAIN, "dropped");
        f.register(new Handlers.Throwing(), HandlerProperties.DOMAIN, "broken");
        DevicePort kept = f.device(DEV);
        kept.attach(Pasid.NONE, Domain.dma("kept"));
        kept.attach(1, Domain.sva("dropped"));
        kept.attach(2, Domain.sva("broken"));
        DevicePort nobody = f.device(Fixture.DEV2);

        last(kept, 1, 0x1000);
        kept.reportPageRequest(1, 2, Fixture.LAST | PageRequest.FLAG_PASID_VALID,
                Permissions.READ, 0x2000, 0, 0);
        kept.reportPageRequest(2, 3, Fixture.LAST | PageRequest.FLAG_PASID_VALID,
                Permissions.READ, 0x3000, 0, 0);
        last(nobody, 4, 0x4000);
        FaultCounts deferred = f.pipeline.totals();
        assertThat(deferred.pending()).isEqualTo(1);
        assertThat(deferred.balanced()).isTrue();

        deferring.held.get(0).respond(ResponseCode.SUCCESS);
        FaultCounts atRest = f.pipeline.totals();
        assertThat(atRest.reported()).isEqualTo(4);
        assertThat(atRest.groups()).isEqualTo(4);
        assertThat(atRest.dispatched()).isEqualTo(3);
        assertThat(atRest.noHandler()).isEqualTo(1);
        assertThat(atRest.answeredSuccess()).isEqualTo(1);
        assertThat(atRest.answeredInvalid()).isEqualTo(2);
        assertThat(atRest.answeredFailure()).isEqualTo(1);
        assertThat(atRest.abandoned()).isEqualTo(1);
        assertThat(atRest.handlerErrors()).isEqualTo(1);
        assertThat(atRest.balanced()).isTrue();
        assertThat(f.pipeline.handlers()).allSatisfy(h -> {
            assertThat(h.counts().dispatched()).isEqualTo(1);
            assertThat(h.counts().groups()).isEqualTo(1);
            assertThat(h.counts().answeredSuccess() + h.counts().answeredInvalid() + h.counts().answeredFailure())
                    .isEqualTo(1);
        });
    }
}
