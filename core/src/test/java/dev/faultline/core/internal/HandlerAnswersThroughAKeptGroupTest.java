package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.stats.FaultCounts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The attack: a handler keeps the {@link FaultGroup} it was handed (valid only during its call) and answers or
 * defers through it after the call returned, to change an answer already given or to answer a second time.
 * Every such answer is rejected and counted as a duplicate; the device hears exactly one answer per group.
 */
class HandlerAnswersThroughAKeptGroupTest {
    private final Fixture f = new Fixture();
    private final List<FaultGroup> kept = new ArrayList<>();
    private final List<DeferredGroup> deferred = new ArrayList<>();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void anAnswerThroughAGroupKeptPastItsCallIsRejectedAndCounted() {
        f.registerForDevice(group -> {
            kept.add(group);
            group.respond(ResponseCode.SUCCESS);
        }, DEV);
        last(f.device(DEV), 1, 0x1000);

        assertThat(kept.get(0).respond(ResponseCode.FAILURE)).isFalse();
        assertThat(kept.get(0).respond(ResponseCode.INVALID)).isFalse();

        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.SUCCESS);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.duplicates()).isEqualTo(2);
        assertThat(c.answeredSuccess()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void anAnswerThroughTheKeptGroupAfterDeferringDoesNotAnswerTheDeferredGroup() {
        f.registerForDevice(group -> {
            kept.add(group);
            deferred.add(group.defer());
        }, DEV);
        last(f.device(DEV), 1, 0x1000);

        assertThat(kept.get(0).respond(ResponseCode.FAILURE)).isFalse();
        assertThat(f.backend.responses()).isEmpty();
        assertThat(f.pipeline.pending()).hasSize(1);

        assertThat(deferred.get(0).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().duplicates()).isEqualTo(1);
    }

    @Test
    void aGroupKeptPastItsCallCannotBeDeferredAfterwards() {
        f.registerForDevice(kept::add, DEV);
        last(f.device(DEV), 1, 0x1000);

        assertThatThrownBy(() -> kept.get(0).defer()).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("after the handler call");

        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.INVALID);
        assertThat(f.pipeline.pending()).isEmpty();
        assertThat(f.pipeline.totals().abandoned()).isEqualTo(1);
    }

    @Test
    void anAnswerGivenAfterTheCoreAnsweredAnAbandonedGroupIsRejected() {
        f.registerForDevice(kept::add, DEV);
        last(f.device(DEV), 1, 0x1000);

        assertThat(kept.get(0).respond(ResponseCode.SUCCESS)).isFalse();

        assertThat(f.backend.single().code()).isEqualTo(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().duplicates()).isEqualTo(1);
    }
}
