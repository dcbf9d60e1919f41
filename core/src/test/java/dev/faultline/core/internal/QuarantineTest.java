package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.internal.configure.Settings;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class QuarantineTest {

    @Test
    void quarantinesAHandlerThatKeepsThrowingAndRoutesAroundIt() {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withQuarantineAfter(3))) {
            Handlers.Answering fallback = new Handlers.Answering(ResponseCode.SUCCESS);
            f.register(new Handlers.Throwing(), HandlerProperties.DEVICE, DEV.toString(), "service.ranking", 1,
                    "component.name", "flaky");
            f.registerForDevice(fallback, DEV);
            DevicePort d = f.device(DEV);

            for (int i = 0; i < 4; i++) {
                last(d, i, 0x1000);
            }

            assertThat(f.backend.codes()).containsExactly(ResponseCode.FAILURE, ResponseCode.FAILURE,
                    ResponseCode.FAILURE, ResponseCode.SUCCESS);
            assertThat(f.log.count("handler flaky (bundle test.bundle, service.id 101) quarantined: 3 consecutive"
                    + " throwing calls"))
                    .isEqualTo(1);
            assertThat(f.pipeline.handlers()).extracting(HandlerStatus::name, HandlerStatus::state)
                    .contains(org.assertj.core.groups.Tuple.tuple("flaky", HandlerStatus.State.QUARANTINED));
        }
    }

    @Test
    void aSuccessfulCallEndsTheFailureStreak() {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withQuarantineAfter(2))) {
            int[] calls = {0};
            f.registerForDevice(group -> {
                if (calls[0]++ % 2 == 0) {
                    throw new IllegalStateException("every other call");
                }
                group.respond(ResponseCode.SUCCESS);
            }, DEV);

            for (int i = 0; i < 6; i++) {
                assertThat(last(f.device(DEV), i, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);
            }
            assertThat(f.pipeline.handlers().get(0).state()).isEqualTo(HandlerStatus.State.ACTIVE);
        }
    }

    @Test
    void neverQuarantinesWhenTheThresholdIsZero() {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withQuarantineAfter(0))) {
            f.registerForDevice(new Handlers.Throwing(), DEV);
            for (int i = 0; i < 50; i++) {
                last(f.device(DEV), i, 0x1000);
            }
            assertThat(f.pipeline.handlers().get(0).state()).isEqualTo(HandlerStatus.State.ACTIVE);
            assertThat(f.pipeline.totals().handlerErrors()).isEqualTo(50);
        }
    }

    @Test
    void flagsAnInlineCallThatBlocksAndQuarantinesAHandlerThatKeepsBlocking() throws Exception {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withQuarantineAfter(2))) {
            CountDownLatch[] entered = {new CountDownLatch(1), new CountDownLatch(1)};
            CountDownLatch[] release = {new CountDownLatch(1), new CountDownLatch(1)};
            int[] call = {0};
            f.register(group -> {
                int n = call[0]++;
                entered[n].countDown();
                try {
                    release[n].await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                group.respond(ResponseCode.SUCCESS);
            }, HandlerProperties.DEVICE, DEV.toString(), "component.name", "sleepy");
            DevicePort d = f.device(DEV);

            for (int n = 0; n < 2; n++) {
                int group = n;
                Thread reporter = new Thread(() -> last(d, group, 0x1000));
                reporter.start();
                assertThat(entered[n].await(10, TimeUnit.SECONDS)).isTrue();
                f.ticker.advance(100, TimeUnit.MILLISECONDS);
                f.pipeline.scanForBlockedHandlers();
                f.pipeline.scanForBlockedHandlers();
                release[n].countDown();
                reporter.join(10_000);
            }

            assertThat(f.pipeline.totals().slowCalls()).isEqualTo(2);
            assertThat(f.log.count("inline handler sleepy (bundle test.bundle")).isEqualTo(2);
            assertThat(f.log.count("sleepy (bundle test.bundle, service.id 101) quarantined: 2 consecutive inline"
                    + " calls blocking")).isEqualTo(1);
            assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.SUCCESS);
            assertThat(last(d, 3, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);
        }
    }
}
