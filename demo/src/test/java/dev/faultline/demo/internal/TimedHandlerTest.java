package dev.faultline.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import org.junit.jupiter.api.Test;

/** The latency figure counts exactly the groups handed to the handler after the recorder started. */
class TimedHandlerTest {
    private final LatencyRecorder latency = new LatencyRecorder(16);

    private static FaultGroup answeredGroup() {
        FaultGroup group = mock(FaultGroup.class);
        when(group.recoverable()).thenReturn(true);
        when(group.answered()).thenReturn(true);
        when(group.reportedNanos()).thenReturn(System.nanoTime());
        return group;
    }

    @Test
    void aGroupWhoseCallBeganBeforeTheRecorderStartedIsNotMeasured() {
        // the answer lets the device go on: the step measured next starts the recorder while this call returns
        TimedHandler handler = new TimedHandler(group -> {
            group.respond(ResponseCode.SUCCESS);
            latency.start();
        }, latency);

        handler.handle(answeredGroup());

        assertThat(latency.summary().groups()).isZero();
    }

    @Test
    void groupsHandedOverAfterTheStartAreMeasured() {
        TimedHandler handler = new TimedHandler(group -> group.respond(ResponseCode.SUCCESS), latency);
        handler.handle(answeredGroup());
        latency.start();

        handler.handle(answeredGroup());
        handler.handle(answeredGroup());

        assertThat(latency.summary().groups()).isEqualTo(2);
    }
}
