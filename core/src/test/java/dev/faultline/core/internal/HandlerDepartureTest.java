package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The lifecycle order a driver relies on: a departing handler is never entered again, its clean-up may answer or
 * hand back what it holds (first answers, not duplicates), and the groups of its target wait for its replacement.
 */
class HandlerDepartureTest {
    private final Fixture f = new Fixture(Settings.DEFAULTS, HandlerPolicy.DEFAULTS.withHandover(1000, 3, 500));

    @AfterEach
    void close() {
        f.close();
    }

    /** Defers every group; its "@Deactivate" answers some and hands back the rest, as the examples do. */
    static final class CleaningUp implements FaultHandler {
        final List<DeferredGroup> held = new CopyOnWriteArrayList<>();
        final AtomicBoolean deactivated = new AtomicBoolean();
        final AtomicInteger enteredAfterDeactivation = new AtomicInteger();

        @Override
        public void handle(FaultGroup group) {
            if (deactivated.get()) {
                enteredAfterDeactivation.incrementAndGet();
            }
            held.add(group.defer());
        }

        /** What a DS component's @Deactivate does after its service was unregistered. */
        void deactivate(int answer) {
            deactivated.set(true);
            for (int i = 0; i < held.size(); i++) {
                if (i < answer) {
                    assertThat(held.get(i).respond(ResponseCode.SUCCESS)).isTrue();
                } else {
                    assertThat(held.get(i).handBack()).isTrue();
                }
            }
        }
    }

    @Test
    void groupsOfADepartedHandlersTargetWaitForItsReplacementAndNoneIsAnsweredNoHandler() {
        Handlers.Answering first = new Handlers.Answering(ResponseCode.SUCCESS);
        long id = f.registerForDevice(first, DEV);
        DevicePort d = f.device(DEV);
        last(d, 1, 0x1000);

        f.pipeline.removeHandler(id);
        assertThat(last(d, 2, 0x2000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(last(d, 3, 0x3000)).isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(f.backend.responses()).hasSize(1);
        assertThat(f.pipeline.pending()).extracting(p -> p.handler())
                .containsOnly("(awaiting a replacement for dev.faultline.core.internal.Handlers$Answering)");
        Handlers.Answering replacement = new Handlers.Answering(ResponseCode.SUCCESS);
        f.registerForDevice(replacement, DEV);
        last(d, 4, 0x4000);

        assertThat(replacement.seen).containsExactly("group 2 pasid -1 addrs 2000", "group 3 pasid -1 addrs 3000",
                "group 4 pasid -1 addrs 4000");
        assertThat(f.backend.codes()).containsOnly(ResponseCode.SUCCESS).hasSize(4);
        FaultCounts totals = f.pipeline.totals();
        assertThat(totals.noHandler()).isZero();
        assertThat(totals.duplicates()).isZero();
        assertThat(totals.balanced()).isTrue();
        assertThat(f.pipeline.handlers()).singleElement().satisfies(h -> {
            assertThat(h.handedOver()).isEqualTo(2);
            assertThat(h.counts().answeredSuccess()).isEqualTo(3);
        });
    }

    @Test
    void withoutAReplacementTheWaitingGroupsAreAnsweredInvalidWhenTheWindowEndsCountedAsTimedOut() {
        long id = f.register(new Handlers.Answering(ResponseCode.SUCCESS), HandlerProperties.DEVICE, DEV.toString(),
                HandlerProperties.TIMEOUT_MS, 5000L);
        f.pipeline.removeHandler(id);
        last(f.device(DEV), 1, 0x1000);

        f.ticker.advance(999, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();
        assertThat(f.backend.responses()).isEmpty();
        f.ticker.advance(1, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().timedOut()).isEqualTo(1);
        assertThat(f.pipeline.totals().balanced()).isTrue();
        assertThat(f.log.count("device 0000:00:03.0: no handler replaced dev.faultline.core.internal.Handlers$Answering"
                + " within handover.window.ms; 1 waiting group(s) answered INVALID")).isEqualTo(1);
        assertThat(last(f.device(DEV), 2, 0x2000)).isEqualTo(ReportOutcome.NO_HANDLER);
    }

    @Test
    void theWaitIsBoundedByTheHandOverCapacity() {
        long id = f.registerForDevice(new Handlers.Answering(ResponseCode.SUCCESS), DEV);
        f.pipeline.removeHandler(id);

        for (int g = 1; g <= 4; g++) {
            last(f.device(DEV), g, 0x1000);
        }

        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::groupId).containsExactly(4);
        assertThat(f.pipeline.totals().noHandler()).isEqualTo(1);
        assertThat(f.log.count("handover.capacity (3) reached")).isEqualTo(1);
    }

    @Test
    void aWaitingGroupStillHasItsDeadline() {
        Fixture longWindow = new Fixture(Settings.DEFAULTS, HandlerPolicy.DEFAULTS.withHandover(5000, 3, 500));
        try (longWindow) {
            long id = longWindow.register(new Handlers.Answering(ResponseCode.SUCCESS), HandlerProperties.DEVICE,
                    DEV.toString(), HandlerProperties.TIMEOUT_MS, 50L);
            longWindow.pipeline.removeHandler(id);
            last(longWindow.device(DEV), 1, 0x1000);

            longWindow.ticker.advance(50, TimeUnit.MILLISECONDS);
            longWindow.pipeline.expireDeadlines();
            Handlers.Answering replacement = new Handlers.Answering(ResponseCode.SUCCESS);
            longWindow.registerForDevice(replacement, DEV);

            assertThat(longWindow.backend.codes()).containsExactly(ResponseCode.INVALID);
            assertThat(replacement.seen).isEmpty();
            assertThat(longWindow.pipeline.totals().timedOut()).isEqualTo(1);
            assertThat(longWindow.pipeline.totals().balanced()).isTrue();
        }
    }

    @Test
    void aDepartingHandlersCleanUpAnswersAreAcceptedAndWhatItHandsBackGoesToTheReplacement() {
        CleaningUp old = new CleaningUp();
        long id = f.registerForDevice(old, DEV);
        for (int g = 1; g <= 3; g++) {
            last(f.device(DEV), g, 0x1000 * g);
        }

        f.pipeline.removeHandler(id);
        old.deactivate(2);
        Handlers.Answering replacement = new Handlers.Answering(ResponseCode.SUCCESS);
        f.registerForDevice(replacement, DEV);
        f.ticker.advance(500, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();

        assertThat(replacement.seen).containsExactly("group 3 pasid -1 addrs 3000");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.SUCCESS,
                ResponseCode.SUCCESS);
        assertThat(old.enteredAfterDeactivation).hasValue(0);
        FaultCounts totals = f.pipeline.totals();
        assertThat(totals.duplicates()).isZero();
        assertThat(totals.answeredInvalid()).isZero();
        assertThat(totals.balanced()).isTrue();
    }

    @Test
    void onlyWhatIsStillUnansweredAfterTheCleanUpWindowIsAnsweredInvalidByTheCore() {
        CleaningUp old = new CleaningUp();
        long id = f.registerForDevice(old, DEV);
        last(f.device(DEV), 1, 0x1000);
        last(f.device(DEV), 2, 0x2000);

        f.pipeline.removeHandler(id);
        assertThat(old.held.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        f.ticker.advance(500, TimeUnit.MILLISECONDS);
        f.pipeline.expireDeadlines();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.INVALID);
        assertThat(old.held.get(1).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(f.pipeline.totals().duplicates()).isEqualTo(1);
    }

    @Test
    void handleIsNeverEnteredOnceDepartureBeganAndDepartureWaitsForTheCallInProgress() throws Exception {
        CountDownLatch inCall = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        AtomicBoolean departed = new AtomicBoolean();
        AtomicInteger enteredAfterDeparture = new AtomicInteger();
        long id = f.registerForDevice(group -> {
            if (departed.get()) {
                enteredAfterDeparture.incrementAndGet();
            }
            inCall.countDown();
            try {
                release.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.respond(ResponseCode.SUCCESS);
        }, DEV);
        Thread faults = new Thread(() -> last(f.device(DEV), 1, 0x1000));
        faults.start();
        assertThat(inCall.await(10, TimeUnit.SECONDS)).isTrue();

        Thread departure = new Thread(() -> {
            f.pipeline.removeHandler(id);
            departed.set(true);
        });
        departure.start();
        departure.join(200);
        boolean returnedDuringTheCall = !departure.isAlive();
        release.countDown();
        departure.join(10_000);
        faults.join(10_000);
        assertThat(last(f.device(DEV), 2, 0x2000)).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(returnedDuringTheCall).isFalse();
        assertThat(enteredAfterDeparture).hasValue(0);
        assertThat(f.backend.responses().get(0).code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().noHandler()).isZero();
    }
}
