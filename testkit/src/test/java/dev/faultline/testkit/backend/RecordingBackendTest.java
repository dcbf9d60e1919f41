package dev.faultline.testkit.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.ResponseCode;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RecordingBackendTest {
    private static final DeviceId GPU = DeviceId.parse("0000:01:00.0");
    private static final DeviceId NIC = DeviceId.parse("0000:02:00.0");

    /** The core reuses one response object: the backend must copy what it reads. */
    private static final class ReusedResponse implements PageResponse {
        ResponseCode code = ResponseCode.SUCCESS;
        int groupId;

        @Override
        public ResponseCode code() {
            return code;
        }

        @Override
        public int groupId() {
            return groupId;
        }

        @Override
        public int pasid() {
            return 3;
        }

        @Override
        public boolean hasPasid() {
            return true;
        }

        @Override
        public boolean needsPasid() {
            return true;
        }

        @Override
        public long privateData0() {
            return 0xaa;
        }

        @Override
        public long privateData1() {
            return 0xbb;
        }
    }

    @Test
    void copiesEachResponseSinceTheCoreReusesIt() {
        RecordingBackend backend = new RecordingBackend("smmu0");
        ReusedResponse reused = new ReusedResponse();
        reused.groupId = 1;
        backend.sendPageResponse(GPU, reused);
        reused.groupId = 2;
        reused.code = ResponseCode.INVALID;
        backend.sendPageResponse(NIC, reused);

        assertThat(backend.name()).isEqualTo("smmu0");
        assertThat(backend.printsUnhandledFaults()).as("the core prints what nobody handled").isFalse();
        assertThat(RecordingBackend.printingUnhandledFaults("smmu1").printsUnhandledFaults()).isTrue();
        assertThat(backend.responses()).containsExactly(
                new RecordingBackend.Response(GPU, 1, 3, true, ResponseCode.SUCCESS, 0xaa, 0xbb),
                new RecordingBackend.Response(NIC, 2, 3, true, ResponseCode.INVALID, 0xaa, 0xbb));
        assertThat(backend.codes()).containsExactly(ResponseCode.SUCCESS, ResponseCode.INVALID);
        assertThat(backend.responsesFor(NIC)).extracting(RecordingBackend.Response::groupId).containsExactly(2);
        assertThatThrownBy(backend::single).isInstanceOf(AssertionError.class).hasMessageContaining("exactly one");
        backend.clear();
        assertThat(backend.responses()).isEmpty();
    }

    @Test
    void waitsForResponsesSentFromAnotherThread() throws InterruptedException {
        RecordingBackend backend = new RecordingBackend("dmar0");
        Thread core = new Thread(() -> backend.sendPageResponse(GPU, new ReusedResponse()));
        core.start();
        assertThat(backend.awaitResponses(1, Duration.ofSeconds(30))).hasSize(1);
        core.join();
        assertThat(backend.single().code()).isEqualTo(ResponseCode.SUCCESS);
        assertThatThrownBy(() -> backend.awaitResponses(2, Duration.ofMillis(1))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("expected 2 page responses");
    }
}
