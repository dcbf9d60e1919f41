package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static dev.faultline.core.internal.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.configure.Settings;
import org.junit.jupiter.api.Test;

class BoundsTest {

    @Test
    void dropsPartialsOverThePerDeviceBoundAndStillAnswersTheGroup() {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withPartials(2, 100))) {
            Handlers.Answering h = new Handlers.Answering(ResponseCode.SUCCESS);
            f.registerForDevice(h, DEV);
            DevicePort d = f.device(DEV);

            assertThat(partial(d, 1, 0x1000)).isEqualTo(ReportOutcome.PARKED);
            assertThat(partial(d, 1, 0x2000)).isEqualTo(ReportOutcome.PARKED);
            assertThat(partial(d, 1, 0x3000)).isEqualTo(ReportOutcome.DROPPED_PARTIAL);
            assertThat(last(d, 1, 0x4000)).isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(h.seen).containsExactly("group 1 pasid -1 addrs 1000 2000 4000");
            assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
            FaultCounts c = f.pipeline.totals();
            assertThat(c.droppedPartials()).isEqualTo(1);
            assertThat(c.balanced()).isTrue();
            assertThat(f.log.count("partials.per.device (2) reached")).isEqualTo(1);
        }
    }

    @Test
    void dropsPartialsOverTheTotalBoundAcrossDevices() {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withPartials(10, 3))) {
            DevicePort a = f.device(DEV);
            DevicePort b = f.device(DEV2);
            partial(a, 1, 0x1000);
            partial(a, 1, 0x2000);
            partial(b, 1, 0x3000);

            assertThat(partial(b, 1, 0x4000)).isEqualTo(ReportOutcome.DROPPED_PARTIAL);
            assertThat(f.log.count("partials.total (3) reached")).isEqualTo(1);

            last(a, 1, 0x5000);
            assertThat(partial(b, 2, 0x6000)).isEqualTo(ReportOutcome.PARKED);
            assertThat(f.pipeline.partialsParked()).isEqualTo(2);
        }
    }

    @Test
    void returnsTheBudgetOfPartialsDiscardedWithTheirDevice() {
        try (Fixture f = new Fixture(Settings.DEFAULTS.withPartials(10, 2))) {
            DevicePort a = f.device(DEV);
            partial(a, 1, 0x1000);
            partial(a, 1, 0x2000);
            a.remove();

            assertThat(partial(f.device(DEV2), 1, 0x3000)).isEqualTo(ReportOutcome.PARKED);
            assertThat(f.pipeline.totals().discardedPartials()).isEqualTo(2);
        }
    }
}
