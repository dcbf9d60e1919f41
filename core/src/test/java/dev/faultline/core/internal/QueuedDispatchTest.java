package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.Settings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class QueuedDispatchTest {
    private final Fixture f = new Fixture(Settings.DEFAULTS.withQueueDepth(2));
    private final Handlers.Blocking slow = new Handlers.Blocking(1);
    private final Handlers.Answering fast = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        slow.release.countDown();
        f.close();
    }

    private long registerSlowQueued() {
        return f.register(slow, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.DISPATCH,
                HandlerProperties.DISPATCH_QUEUED);
    }

    @Test
    void aBlockedQueuedHandlerDoesNotStallAnotherDevice() throws Exception {
        registerSlowQueued();
        f.registerForDevice(fast, DEV2);

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(last(f.device(DEV2), 2, 0x2000)).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(f.backend.responses()).singleElement().satisfies(r -> {
            assertThat(r.device()).isEqualTo(DEV2);
            assertThat(r.code()).isEqualTo(ResponseCode.SUCCESS);
        });
        assertThat(f.pipeline.pending()).singleElement().satisfies(p -> assertThat(p.queued()).isTrue());

        slow.release.countDown();
        Await.until(() -> f.backend.responses().size() == 2);
        assertThat(f.backend.responses().get(1).device()).isEqualTo(DEV);
        Await.until(() -> f.pipeline.totals().balanced());
        assertThat(f.pipeline.handlers()).filteredOn(h -> h.dispatch().equals("queued")).hasSize(1);
    }

    @Test
    void answersFailureWhenTheQueueIsFullAndCountsIt() throws Exception {
        registerSlowQueued();
        last(f.device(DEV), 1, 0x1000);
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
        last(f.device(DEV), 2, 0x1000);
        last(f.device(DEV), 3, 0x1000);

        last(f.device(DEV), 4, 0x1000);

        assertThat(f.backend.responses()).singleElement().satisfies(r -> {
            assertThat(r.groupId()).isEqualTo(4);
            assertThat(r.code()).isEqualTo(ResponseCode.FAILURE);
        });
        assertThat(f.pipeline.totals().queueFull()).isEqualTo(1);
        slow.release.countDown();
        Await.until(() -> f.backend.responses().size() == 4);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.answeredSuccess()).isEqualTo(3);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void aDepartingQueuedHandlerFinishesItsCallAndTheGroupsItNeverSawGoToItsReplacement() throws Exception {
        long id = registerSlowQueued();
        last(f.device(DEV), 1, 0x1000);
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();
        last(f.device(DEV), 2, 0x1000);
        Thread departure = new Thread(() -> f.pipeline.removeHandler(id));
        departure.start();
        Await.until(() -> !f.pipeline.handlers().stream().anyMatch(h -> h.serviceId() == id));

        slow.release.countDown();
        departure.join(10_000);
        Handlers.Answering replacement = new Handlers.Answering(ResponseCode.SUCCESS);
        f.register(replacement, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.DISPATCH, "queued");
        Await.until(() -> f.backend.responses().size() == 2);

        assertThat(departure.isAlive()).isFalse();
        assertThat(replacement.seen).containsExactly("group 2 pasid -1 addrs 1000");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().noHandler()).isZero();
        assertThat(f.pipeline.totals().duplicates()).isZero();
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aQueuedGroupPastItsDeadlineIsAnsweredByTheWatchdog() throws Exception {
        registerSlowQueued();
        last(f.device(DEV), 1, 0x1000);
        assertThat(slow.entered.await(10, TimeUnit.SECONDS)).isTrue();

        f.ticker.advance(1, TimeUnit.SECONDS);
        f.pipeline.expireDeadlines();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);

        slow.release.countDown();
        Await.until(() -> f.pipeline.totals().duplicates() == 1);
        assertThat(f.backend.responses()).hasSize(1);
        assertThat(f.pipeline.totals().timedOut()).isEqualTo(1);
    }

    @Test
    void aQueuedHandlerThatReturnsWithoutAnsweringAbandonsItsGroup() throws Exception {
        f.register(new Handlers.NeverAnswers(), HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.DISPATCH,
                HandlerProperties.DISPATCH_QUEUED);

        last(f.device(DEV), 1, 0x1000);

        Await.until(() -> f.backend.responses().size() == 1);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().abandoned()).isEqualTo(1);
    }
}
