package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack: a handler keeps the {@link FaultGroup} it was handed and uses it from a thread of its own while the
 * core's fault thread has reused that group object for another device's fault, hoping to read that fault or to
 * answer it. The group object refuses every caller but the fault thread, so the other device's group is read and
 * answered only by its own handler.
 */
class HandlerUsesAKeptGroupFromAnotherThreadTest {
    private final Fixture f = new Fixture();
    private final List<FaultGroup> attackerKept = new ArrayList<>();
    private final List<Throwable> refused = new CopyOnWriteArrayList<>();
    private final List<Object> leaked = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        f.close();
    }

    /** Runs {@code attempt} on a thread of its own, now, recording what it got or why it was refused. */
    private void fromAnotherThread(Consumer<FaultGroup> attempt) throws InterruptedException {
        Thread t = new Thread(() -> {
            try {
                attempt.accept(attackerKept.get(0));
            } catch (IllegalStateException e) {
                refused.add(e);
            }
        });
        t.start();
        t.join();
    }

    @Test
    void whileTheSlotServesAnotherDeviceTheKeptGroupNeitherReadsNorAnswersIt() {
        f.registerForDevice(group -> {
            attackerKept.add(group);
            group.respond(ResponseCode.SUCCESS);
        }, DEV);
        f.registerForDevice(group -> {
            try {
                fromAnotherThread(g -> leaked.add(g.address(0)));
                fromAnotherThread(g -> leaked.add(g.device()));
                fromAnotherThread(g -> leaked.add(g.groupId()));
                fromAnotherThread(g -> leaked.add(g.respond(ResponseCode.FAILURE)));
                fromAnotherThread(g -> leaked.add(g.defer()));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            group.respond(ResponseCode.SUCCESS);
        }, DEV2);
        last(f.device(DEV), 1, 0x1000);

        last(f.device(DEV2), 2, 0x2000);

        assertThat(leaked).isEmpty();
        assertThat(refused).hasSize(5).allSatisfy(e -> assertThat(e).hasMessageContaining("defer()"));
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::device, RecordingBackend.Response::groupId,
                RecordingBackend.Response::code)
                .containsExactly(tuple(DEV, 1, ResponseCode.SUCCESS), tuple(DEV2, 2, ResponseCode.SUCCESS));
        assertThat(f.pipeline.pending()).isEmpty();
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }

    @Test
    void aHandlerThatHandsItsGroupToAWorkerInsteadOfDeferringGetsAClearErrorAndTheCoreAnswers() {
        f.registerForDevice(group -> {
            attackerKept.add(group);
            try {
                fromAnotherThread(g -> g.respond(ResponseCode.SUCCESS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, DEV);

        last(f.device(DEV), 3, 0x3000);

        assertThat(refused).singleElement().satisfies(e -> assertThat(e).hasMessageContaining("defer()"));
        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().abandoned()).isEqualTo(1);
    }
}
