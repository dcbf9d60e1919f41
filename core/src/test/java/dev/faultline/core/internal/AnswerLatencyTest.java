package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.internal.configure.Settings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnswerLatencyTest {
    private final Fixture f = new Fixture();
    private final Handlers.Deferring deferring = new Handlers.Deferring();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void aDeferredAnswerIsTimedFromReceiptToAnswerForTheHandlerAndTheCore() {
        f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 1, 0x1000);
        f.ticker.advance(5, TimeUnit.MILLISECONDS);
        assertThat(deferring.held.get(0).respond(ResponseCode.SUCCESS)).isTrue();

        AnswerLatency handler = handler().answerLatency();
        assertThat(handler.samples()).isEqualTo(1);
        assertThat(handler.maxNanos()).isEqualTo(5_000_000);
        assertThat(handler.p50Nanos()).isEqualTo(5_000_000);
        assertThat(handler.p99Nanos()).isEqualTo(5_000_000);
        assertThat(f.pipeline.answerLatency()).isEqualTo(handler);
    }

    @Test
    void aDeviceTimesAtMostOneGroupPerMillisecondAndEveryOneAtALowerRate() {
        f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 1, 0x1000);
        f.ticker.advance(999, TimeUnit.MICROSECONDS);
        last(f.device(DEV), 2, 0x2000);
        f.ticker.advance(1, TimeUnit.MICROSECONDS);
        last(f.device(DEV), 3, 0x3000);
        f.ticker.advance(2, TimeUnit.MILLISECONDS);
        deferring.held.forEach(g -> g.respond(ResponseCode.SUCCESS));

        AnswerLatency latency = handler().answerLatency();
        assertThat(latency.samples()).as("groups 1 and 3; group 2 came within a millisecond of group 1").isEqualTo(2);
        assertThat(latency.maxNanos()).isEqualTo(3_000_000);
        assertThat(latency.sumNanos()).isEqualTo(3_000_000 + 2_000_000);
        assertThat(f.pipeline.totals().answeredSuccess()).isEqualTo(3);
    }

    @Test
    void eachDeviceIsTimedOnItsOwnAndAGroupNobodyServesCountsForTheCoreOnly() {
        f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 1, 0x1000);
        last(f.device(DEV2), 1, 0x1000);
        f.ticker.advance(4, TimeUnit.MILLISECONDS);
        deferring.held.get(0).respond(ResponseCode.SUCCESS);

        assertThat(handler().answerLatency().samples()).isEqualTo(1);
        AnswerLatency core = f.pipeline.answerLatency();
        assertThat(core.samples()).isEqualTo(2);
        assertThat(core.p50Nanos()).as("answered INVALID at once by the core").isZero();
        assertThat(core.maxNanos()).isEqualTo(4_000_000);
    }

    @Test
    void unrecoverableFaultsAndTimeoutsAreNotAnswerLatencyUnlessTheCoreAnswersAGroup() {
        f.registerForDevice(deferring, DEV);
        f.device(DEV).reportUnrecoverable(UnrecoverableFault.ADDR_VALID, -1, Permissions.WRITE, 0x5000, 0,
                HardwareRecord.NONE);
        assertThat(f.pipeline.answerLatency().samples()).isZero();

        last(f.device(DEV), 1, 0x1000);
        f.ticker.advance(Settings.DEFAULTS.defaultTimeoutMillis(), TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        assertThat(handler().answerLatency().maxNanos()).as("the core's INVALID at the deadline")
                .isEqualTo(TimeUnit.MILLISECONDS.toNanos(Settings.DEFAULTS.defaultTimeoutMillis()));
    }

    private HandlerStatus handler() {
        return f.pipeline.handlers().get(0);
    }
}
