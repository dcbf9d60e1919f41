package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static dev.faultline.core.internal.Fixture.partial;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.core.internal.configure.Settings;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A configuration change reaches the fault path of devices and handlers already there, without reconnecting. */
class ReconfigureTest {
    private final Fixture f = new Fixture(Settings.DEFAULTS.withPartials(4, 100));

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void newPartialBoundsApplyToADeviceAddedBefore() {
        DevicePort d = f.device(DEV);
        assertThat(partial(d, 1, 0x1000)).isEqualTo(ReportOutcome.PARKED);

        f.pipeline.reconfigure(Settings.DEFAULTS.withPartials(1, 100));
        assertThat(partial(d, 1, 0x2000)).isEqualTo(ReportOutcome.DROPPED_PARTIAL);
        assertThat(f.log.count("partials.per.device (1) reached")).isEqualTo(1);

        f.pipeline.reconfigure(Settings.DEFAULTS.withPartials(8, 1));
        assertThat(partial(d, 2, 0x3000)).isEqualTo(ReportOutcome.DROPPED_PARTIAL);
        assertThat(f.log.count("partials.total (1) reached")).isEqualTo(1);
    }

    @Test
    void aNewDefaultTimeoutAppliesToTheNextDeferredGroupOfAHandlerRegisteredBefore() {
        Handlers.Deferring deferring = new Handlers.Deferring();
        f.registerForDevice(deferring, DEV);
        f.pipeline.reconfigure(Settings.DEFAULTS.withDefaultTimeoutMillis(5));
        last(f.device(DEV), 1, 0x1000);
        DeferredGroup g = deferring.held.get(0);

        f.ticker.advance(5, TimeUnit.MILLISECONDS);
        assertThat(f.pipeline.expireDeadlines()).isEqualTo(1);
        assertThat(g.answered()).isTrue();
        assertThat(f.pipeline.totals().timedOut()).isEqualTo(1);
    }
}
