package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Runs the many-faults-in-flight rig (no timing): with every lane in flight at once, each lane's fault is handled,
 * answered and completed exactly once per round, and none is lost or completed twice.
 */
class InflightRigTest {

    @ParameterizedTest
    @EnumSource(EndToEndRig.Protocol.class)
    void everyLaneInFlightCompletesEachFaultExactlyOnce(EndToEndRig.Protocol protocol) {
        try (InflightRig rig = new InflightRig(protocol, 8, 8)) {
            int[] completed = new int[rig.lanes()];
            rig.startAll();
            int rounds = 20;
            for (int i = 0; i < rounds * rig.lanes(); i++) {
                int lane = rig.next();
                completed[lane]++;
                if (completed[lane] < rounds) {
                    rig.fault(lane);
                }
            }
            assertThat(completed).containsOnly(rounds);
            assertThat(rig.faults()).isEqualTo((long) rounds * rig.lanes());
        }
    }

    @ParameterizedTest
    @EnumSource(EndToEndRig.Protocol.class)
    void oneLaneIsTheSerialRoundTrip(EndToEndRig.Protocol protocol) {
        try (InflightRig rig = new InflightRig(protocol, 1, 1)) {
            rig.startAll();
            for (int i = 0; i < 100; i++) {
                rig.fault(rig.next());
            }
            assertThat(rig.next()).isZero();
            assertThat(rig.faults()).isEqualTo(101);
        }
    }
}
