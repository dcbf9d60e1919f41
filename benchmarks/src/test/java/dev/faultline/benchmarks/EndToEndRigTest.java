package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Runs each end-to-end rig a few times (no timing): every access faults once, is paged in and completes. */
class EndToEndRigTest {

    @ParameterizedTest
    @EnumSource(EndToEndRig.Protocol.class)
    void everyAccessFaultsOnceIsPagedInAndCompletes(EndToEndRig.Protocol protocol) {
        try (EndToEndRig rig = new EndToEndRig(protocol)) {
            for (int i = 0; i < 50; i++) {
                DmaResult r = rig.faultOnce();
                assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
                assertThat(r.stalls() + r.pageRequests()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(EndToEndRig.Protocol.class)
    void withANeighbourBlockedInItsHandlerForTheWholeRunEveryAccessStillCompletes(EndToEndRig.Protocol protocol) {
        try (EndToEndRig rig = new EndToEndRig(protocol, true)) {
            for (int i = 0; i < 50; i++) {
                DmaResult r = rig.faultOnce();
                assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
                assertThat(r.stalls() + r.pageRequests()).isEqualTo(1);
            }
        }
    }
}
