package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.log.LogSink;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    private final Fixture f = new Fixture(Settings.DEFAULTS.withDefaultTimeoutMillis(1000));
    private final Handlers.Deferring deferring = new Handlers.Deferring();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void answersADeferredGroupInvalidAtItsDeadlineAndCountsATimeout() {
        f.registerForDevice(deferring, DEV);
        long reported = f.ticker.nanoTime();
        last(f.device(DEV), 1, 0x1000);
        DeferredGroup g = deferring.held.get(0);
        assertThat(g.deadlineNanos()).isEqualTo(reported + TimeUnit.SECONDS.toNanos(1));

        f.ticker.advance(999, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isZero();
        assertThat(f.backend.responses()).isEmpty();

        f.ticker.advance(1, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(g.respond(ResponseCode.SUCCESS)).isFalse();
        FaultCounts c = f.pipeline.totals();
        assertThat(c.timedOut()).isEqualTo(1);
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void usesTheHandlersOwnTimeout() {
        f.register(deferring, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.TIMEOUT_MS, 50L);
        long reported = f.ticker.nanoTime();
        last(f.device(DEV), 1, 0x1000);

        assertThat(deferring.held.get(0).deadlineNanos()).isEqualTo(reported + TimeUnit.MILLISECONDS.toNanos(50));
        f.ticker.advance(50, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.handlers().get(0).timeoutMillis()).isEqualTo(50);
    }

    @Test
    void answersTheConfiguredCodeAtADeadline() {
        try (Fixture failing = new Fixture(new Settings(256, 8192, 10, ResponseCode.FAILURE, 256,
                ResponseCode.FAILURE, 10, 100, 10, 5000, false))) {
            Handlers.Deferring h = new Handlers.Deferring();
            failing.registerForDevice(h, DEV);
            last(failing.device(DEV), 1, 0x1000);
            failing.ticker.advance(10, TimeUnit.MILLISECONDS);
            failing.pipeline.expireDeadlines();

            assertThat(failing.backend.codes()).containsExactly(ResponseCode.FAILURE);
        }
    }

    @Test
    void leavesAnsweredGroupsAloneAtTheirDeadline() {
        f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 1, 0x1000);
        deferring.held.get(0).respond(ResponseCode.SUCCESS);

        f.ticker.advance(5, TimeUnit.SECONDS);
        assertThat(f.pipeline.expireDeadlines()).isZero();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().timedOut()).isZero();
    }

    @Test
    void expiresGroupsInDeadlineOrder() {
        f.register(deferring, HandlerProperties.DEVICE, DEV.toString());
        last(f.device(DEV), 1, 0x1000);
        f.ticker.advance(500, TimeUnit.MILLISECONDS);
        last(f.device(DEV), 2, 0x1000);

        f.ticker.advance(500, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        assertThat(f.backend.single().groupId()).isEqualTo(1);
        assertThat(f.pipeline.pending()).singleElement().satisfies(p -> {
            assertThat(p.groupId()).isEqualTo(2);
            assertThat(p.ageNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
            assertThat(p.remainingNanos()).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
        });
    }

    @Test
    void theWatchdogThreadAnswersOnItsOwn() throws Exception {
        Core p = new Core(Settings.DEFAULTS.withDefaultTimeoutMillis(20), Ticker.SYSTEM, LogSink.NONE, true);
        try {
            RecordingBackend backend = new RecordingBackend("real-time");
            var d = p.connect(backend).addDevice(DEV);
            Handlers.Deferring h = new Handlers.Deferring();
            p.addHandler(h, java.util.Map.of("service.id", 1L, HandlerProperties.DEVICE, DEV.toString()), "b");
            last(d, 1, 0x1000);

            Await.until(() -> backend.responses().size() == 1);
            assertThat(backend.codes()).containsExactly(ResponseCode.INVALID);
            assertThat(p.totals().timedOut()).isEqualTo(1);
        } finally {
            p.close();
        }
    }
}
