package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** An inline call past its deadline: the device is answered on the handler's behalf, the late answer refused. */
class InlineDeadlineTest {
    private final Fixture f = new Fixture();
    private final Handlers.Blocking blocking = new Handlers.Blocking(1);

    @AfterEach
    void close() {
        blocking.release.countDown();
        f.close();
    }

    private Thread faultThread() throws InterruptedException {
        Thread t = new Thread(() -> last(f.device(DEV), 1, 0x1000), "iommu0-faults");
        t.start();
        assertThat(blocking.entered.await(10, TimeUnit.SECONDS)).isTrue();
        return t;
    }

    @Test
    void anInlineCallPastItsDeadlineIsAnsweredOnItsBehalfAndItsLateAnswerIsRefusedAndCounted() throws Exception {
        f.register(blocking, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.TIMEOUT_MS, 200L);
        Thread faults = faultThread();

        f.ticker.advance(199, TimeUnit.MILLISECONDS);
        f.pipeline.scanForBlockedHandlers();
        assertThat(f.backend.responses()).isEmpty();
        f.ticker.advance(1, TimeUnit.MILLISECONDS);
        f.pipeline.scanForBlockedHandlers();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        blocking.release.countDown();
        faults.join(10_000);

        assertThat(f.backend.responses()).hasSize(1);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.timedOut()).isEqualTo(1);
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
        assertThat(f.log.count("still running after 200 ms, past its deadline: 0000:00:03.0 answered on its behalf"))
                .isEqualTo(1);
    }

    @Test
    void aHandlerWithoutADeadlineIsNeverAnsweredOnItsBehalf() throws Exception {
        f.register(blocking, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.TIMEOUT_MS,
                HandlerProperties.NO_DEADLINE);
        Thread faults = faultThread();

        f.ticker.advance(1, TimeUnit.HOURS);
        f.pipeline.scanForBlockedHandlers();
        f.pipeline.expireDeadlines();
        assertThat(f.backend.responses()).isEmpty();
        blocking.release.countDown();
        faults.join(10_000);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(f.pipeline.handlers()).singleElement()
                .satisfies(h -> assertThat(h.timeoutMillis()).isEqualTo(HandlerProperties.NO_DEADLINE));
    }

    @Test
    void aDeferredGroupOfAHandlerWithoutADeadlineWaitsForItsAnswer() {
        Handlers.Deferring deferring = new Handlers.Deferring();
        f.register(deferring, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.TIMEOUT_MS, -1);

        last(f.device(DEV), 1, 0x1000);
        f.ticker.advance(1, TimeUnit.HOURS);
        f.pipeline.expireDeadlines();
        assertThat(f.backend.responses()).isEmpty();

        assertThat(deferring.held.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
    }
}
