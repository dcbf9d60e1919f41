package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack: a handler tries to answer a group of a device it does not serve, through the group object it was
 * handed for its own device (reused by the core for the next fault) or through a handle of another device's
 * deferred group. An answer only ever reaches the group its object was made for; the other device's group is
 * answered once, by its own handler.
 */
class HandlerAnswersAnotherDevicesGroupTest {
    private final Fixture f = new Fixture();
    private final List<FaultGroup> attackerKept = new ArrayList<>();
    private final Handlers.Deferring victim = new Handlers.Deferring();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void theGroupObjectOfItsOwnLastFaultCannotAnswerTheNextDevicesGroup() {
        f.registerForDevice(group -> {
            attackerKept.add(group);
            group.respond(ResponseCode.SUCCESS);
        }, DEV);
        f.registerForDevice(victim, DEV2);
        last(f.device(DEV), 1, 0x1000);
        last(f.device(DEV2), 2, 0x2000);

        assertThat(attackerKept.get(0).respond(ResponseCode.FAILURE)).isFalse();

        assertThat(f.pipeline.pending()).singleElement().satisfies(p -> {
            assertThat(p.device()).isEqualTo(DEV2.toString());
            assertThat(p.groupId()).isEqualTo(2);
        });
        assertThat(victim.held.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::device, RecordingBackend.Response::groupId,
                RecordingBackend.Response::code)
                .containsExactly(tuple(DEV, 1, ResponseCode.SUCCESS), tuple(DEV2, 2, ResponseCode.SUCCESS));
        assertThat(f.pipeline.totals().duplicates()).isEqualTo(1);
    }

    @Test
    void anotherDevicesDeferredGroupAnsweredFromInsideACallAnswersOnlyThatGroupOnce() {
        List<Boolean> attackerResults = new ArrayList<>();
        f.registerForDevice(victim, DEV);
        f.registerForDevice(group -> {
            DeferredGroup stolen = victim.held.get(0);
            attackerResults.add(stolen.respond(ResponseCode.FAILURE));
            attackerResults.add(stolen.respond(ResponseCode.SUCCESS));
            group.respond(ResponseCode.SUCCESS);
        }, DEV2);
        last(f.device(DEV), 7, 0x1000);

        last(f.device(DEV2), 9, 0x2000);

        assertThat(attackerResults).containsExactly(true, false);
        assertThat(f.backend.responses()).extracting(RecordingBackend.Response::device, RecordingBackend.Response::groupId,
                RecordingBackend.Response::code)
                .containsExactly(tuple(DEV, 7, ResponseCode.FAILURE), tuple(DEV2, 9, ResponseCode.SUCCESS));
        assertThat(victim.held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
        assertThat(f.pipeline.totals().duplicates()).isEqualTo(2);
        assertThat(f.pipeline.totals().balanced()).isTrue();
    }
}
