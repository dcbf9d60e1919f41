package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class WorkloadTest {

    @Test
    void writesTheSmmuV3EventRecordLayout() {
        long[] ring = new long[StallRecord.WORDS];
        StallRecord.write(ring, 0, 0x1234, 0xbeef, true, 0xdead_b000L);
        // dw0: StreamID [63:32], event id F_TRANSLATION [7:0]; dw1: STAG [15:0], Stall 31, RnW 35
        assertThat(ring[0]).isEqualTo(0x0000_1234_0000_0010L);
        assertThat(ring[1]).isEqualTo(0x0000_0008_8000_beefL);
        assertThat(ring[2]).isEqualTo(0xdead_b000L);
        assertThat(StallRecord.streamId(ring, 0)).isEqualTo(0x1234);
        assertThat(StallRecord.stag(ring, 0)).isEqualTo(0xbeef);
        assertThat(StallRecord.read(ring, 0)).isTrue();
        assertThat(StallRecord.address(ring, 0)).isEqualTo(0xdead_b000L);
    }

    @Test
    void givesEverySourceItsOwnSparseDevicesAndStallTags() {
        Workload w = Workload.create(1024, 2);
        Set<Integer> sids = new HashSet<>();
        for (int d = 0; d < w.devices(); d++) {
            assertThat(w.streamId(d)).isBetween(1, 0xffff);
            sids.add(w.streamId(d));
        }
        assertThat(sids).hasSize(2048);
        assertThat(w.handlers()).isEqualTo(Workload.DEFAULT_HANDLERS);
        for (int s = 0; s < 2; s++) {
            for (int slot = 0; slot < Workload.RECORDS; slot++) {
                int base = slot * StallRecord.WORDS;
                assertThat(StallRecord.stag(w.ring(s), base)).isEqualTo(s * Workload.RECORDS + slot);
                int device = w.deviceOf(s, slot);
                assertThat(device / 1024).isEqualTo(s);
                assertThat(StallRecord.streamId(w.ring(s), base)).isEqualTo(w.streamId(device));
            }
        }
    }

    @Test
    void theHandlerCountCanBeSetForAMeasurementOfWhatItCosts() {
        try {
            System.setProperty(Workload.HANDLERS_PROPERTY, "1");
            Workload one = Workload.create(1024, 1);
            assertThat(one.handlers()).isOne();
            assertThat(one.responderOf(0)).isSameAs(one.responderOf(1023));
            System.setProperty(Workload.HANDLERS_PROPERTY, "17");
            assertThatThrownBy(() -> Workload.create(1024, 1)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining(Workload.HANDLERS_PROPERTY);
        } finally {
            System.clearProperty(Workload.HANDLERS_PROPERTY);
        }
    }

    @Test
    void buildsTheSameRecordsEveryTime() {
        assertThat(Workload.create(1024, 1).ring(0)).isEqualTo(Workload.create(1024, 1).ring(0));
    }

    @Test
    void refusesMoreSourcesThanTwo() {
        assertThatThrownBy(() -> Workload.create(1, 3)).isInstanceOf(IllegalArgumentException.class);
    }
}
