package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.internal.configure.Configs;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** Quarantine counts throws, blocking and timeouts, each configurable, and ends after a back-off or by hand. */
class QuarantineReleaseTest {

    /** Throws while {@link #broken}, else answers SUCCESS. */
    static final class Flaky implements FaultHandler {
        final AtomicBoolean broken = new AtomicBoolean(true);

        @Override
        public void handle(FaultGroup group) {
            if (broken.get()) {
                throw new IllegalStateException("broken");
            }
            group.respond(ResponseCode.SUCCESS);
        }
    }

    private static HandlerStatus.State state(Fixture f) {
        return f.pipeline.handlers().get(0).state();
    }

    @Test
    void aQuarantineEndsAfterItsBackOffOnProbationAndOneMoreFailureQuarantinesItForTwiceAsLong() {
        HandlerPolicy policy = HandlerPolicy.DEFAULTS.withQuarantine(2, HandlerPolicy.COMMON, HandlerPolicy.COMMON, 1000);
        try (Fixture f = new Fixture(Settings.DEFAULTS, policy)) {
            Flaky flaky = new Flaky();
            f.register(flaky, HandlerProperties.DEVICE, DEV.toString(), "component.name", "flaky");
            last(f.device(DEV), 1, 0x1000);
            last(f.device(DEV), 2, 0x1000);
            assertThat(state(f)).isEqualTo(HandlerStatus.State.QUARANTINED);
            assertThat(f.pipeline.handlers().get(0).reason()).isEqualTo("2 consecutive throwing calls; released on"
                    + " probation after 1000 ms, or by faultline:release");

            f.ticker.advance(999, TimeUnit.MILLISECONDS);
            f.pipeline.releaseQuarantines();
            assertThat(state(f)).isEqualTo(HandlerStatus.State.QUARANTINED);
            f.ticker.advance(1, TimeUnit.MILLISECONDS);
            f.pipeline.releaseQuarantines();
            assertThat(state(f)).isEqualTo(HandlerStatus.State.ACTIVE);
            assertThat(f.log.count("handler flaky (bundle test.bundle, service.id 101) released from quarantine on"
                    + " probation")).isEqualTo(1);

            last(f.device(DEV), 3, 0x1000);
            assertThat(state(f)).isEqualTo(HandlerStatus.State.QUARANTINED);
            assertThat(f.pipeline.handlers().get(0).reason()).startsWith("failed again on probation (throwing calls);"
                    + " released on probation after 2000 ms");

            f.ticker.advance(2000, TimeUnit.MILLISECONDS);
            f.pipeline.releaseQuarantines();
            flaky.broken.set(false);
            last(f.device(DEV), 4, 0x1000);
            assertThat(state(f)).isEqualTo(HandlerStatus.State.ACTIVE);
            assertThat(f.backend.codes()).containsExactly(ResponseCode.FAILURE, ResponseCode.FAILURE,
                    ResponseCode.FAILURE, ResponseCode.SUCCESS);
        }
    }

    @Test
    void faultlineReleaseEndsAQuarantineAtOnceByNameOrServiceId() {
        HandlerPolicy policy = HandlerPolicy.DEFAULTS.withQuarantine(1, HandlerPolicy.COMMON, HandlerPolicy.COMMON, 0);
        try (Fixture f = new Fixture(Settings.DEFAULTS, policy)) {
            Flaky flaky = new Flaky();
            long id = f.register(flaky, HandlerProperties.DEVICE, DEV.toString(), "component.name", "flaky");
            last(f.device(DEV), 1, 0x1000);
            assertThat(f.pipeline.handlers().get(0).reason()).endsWith("until released (faultline:release)");
            f.ticker.advance(1, TimeUnit.DAYS);
            f.pipeline.releaseQuarantines();
            assertThat(state(f)).isEqualTo(HandlerStatus.State.QUARANTINED);

            assertThat(f.pipeline.release("nobody")).isEmpty();
            assertThat(f.pipeline.release("flaky")).singleElement()
                    .satisfies(h -> assertThat(h.state()).isEqualTo(HandlerStatus.State.ACTIVE));
            last(f.device(DEV), 2, 0x1000);
            assertThat(state(f)).as("released by hand: no probation, the threshold counts again")
                    .isEqualTo(HandlerStatus.State.QUARANTINED);
            assertThat(f.pipeline.release(Long.toString(id))).hasSize(1);
            flaky.broken.set(false);
            last(f.device(DEV), 3, 0x1000);

            assertThat(f.backend.codes()).containsExactly(ResponseCode.FAILURE, ResponseCode.FAILURE,
                    ResponseCode.SUCCESS);
            assertThat(f.log.count("released from quarantine by hand")).isEqualTo(2);
        }
    }

    @Test
    void timeoutsCountTowardQuarantineAndAnAnswerInTimeEndsTheirStreak() {
        HandlerPolicy policy = HandlerPolicy.DEFAULTS.withQuarantine(0, 0, 2, 1000);
        try (Fixture f = new Fixture(Settings.DEFAULTS, policy)) {
            Handlers.Deferring deferring = new Handlers.Deferring();
            f.register(deferring, HandlerProperties.DEVICE, DEV.toString(), HandlerProperties.TIMEOUT_MS, 100L);

            last(f.device(DEV), 1, 0x1000);
            f.ticker.advance(100, TimeUnit.MILLISECONDS);
            f.pipeline.expireDeadlines();
            last(f.device(DEV), 2, 0x1000);
            assertThat(deferring.held.get(1).respond(ResponseCode.SUCCESS)).isTrue();
            last(f.device(DEV), 3, 0x1000);
            f.ticker.advance(100, TimeUnit.MILLISECONDS);
            f.pipeline.expireDeadlines();
            assertThat(state(f)).isEqualTo(HandlerStatus.State.ACTIVE);
            last(f.device(DEV), 4, 0x1000);
            f.ticker.advance(100, TimeUnit.MILLISECONDS);
            f.pipeline.expireDeadlines();

            assertThat(state(f)).isEqualTo(HandlerStatus.State.QUARANTINED);
            assertThat(f.pipeline.handlers().get(0).reason()).startsWith("2 consecutive groups answered at their"
                    + " deadline");
        }
    }

    @Test
    void eachKindHasItsOwnThresholdAndZeroNeverQuarantines() {
        HandlerPolicy policy = HandlerPolicy.DEFAULTS.withQuarantine(0, 1, 1, 1000);
        try (Fixture f = new Fixture(Settings.DEFAULTS, policy)) {
            f.registerForDevice(new Flaky(), DEV);

            for (int g = 0; g < 50; g++) {
                last(f.device(DEV), g, 0x1000);
            }

            assertThat(state(f)).isEqualTo(HandlerStatus.State.ACTIVE);
            assertThat(f.pipeline.totals().handlerErrors()).isEqualTo(50);
        }
    }

    @Test
    void theConfigurationSetsEachThresholdAndTheBackOff() {
        HandlerPolicy p = HandlerPolicy.from(Configs.of(java.util.Map.of("quarantine_after_throws", 3,
                "quarantine_after_timeouts", 0, "quarantine_backoff_ms", 250L)), line -> { });

        assertThat(p.quarantineThrows()).isEqualTo(3);
        assertThat(p.quarantineTimeouts()).isZero();
        assertThat(HandlerPolicy.limit(p.quarantineBlocks(), 10)).isEqualTo(10);
        assertThat(p.backoffMillis()).isEqualTo(250);
    }
}
