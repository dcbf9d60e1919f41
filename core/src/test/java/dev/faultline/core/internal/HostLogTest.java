package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV2;
import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.LAST;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HostLogTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void logsAnUnhandledPageRequestGroupWithItsFields() {
        f.device(DEV).reportPageRequest(5, 0x1f, LAST | PageRequest.FLAG_PASID_VALID, Permissions.READ_WRITE,
                0xabc000, 0, 0);

        assertThat(f.log.lines).containsExactly("WARN 0000:00:03.0: unhandled page request group 0x1f (1 request(s))"
                + " pasid 0x5 addr 0xabc000 perm rw--: answered INVALID");
    }

    @Test
    void leavesUnhandledFaultsToABackendThatPrintsThemInItsOwnFormat() {
        RecordingBackend printing = RecordingBackend.printingUnhandledFaults("smmu1");
        DevicePort d = f.pipeline.connect(printing).addDevice(DEV2);
        assertThat(last(d, 3, 0x1000)).isEqualTo(dev.faultline.api.backend.ReportOutcome.NO_HANDLER);
        d.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE, Permissions.WRITE, 0x2000, 0,
                HardwareRecord.NONE);

        assertThat(f.log.lines).isEmpty();
        assertThat(printing.single().code()).isEqualTo(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().noHandler()).isEqualTo(2);
    }

    @Test
    void neverPrintsFaultsOfAGuestOwnedAttachment() {
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));

        d.reportPageRequest(9, 1, LAST | PageRequest.FLAG_PASID_VALID, Permissions.READ, 0x1000, 0, 0);
        last(d, 2, 0x2000);
        d.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE, Permissions.WRITE, 0x3000, 0,
                HardwareRecord.NONE);
        d.reportPageRequest(Pasid.NONE, 3, 0x80, Permissions.READ, 0, 0, 0);

        assertThat(f.log.lines).isEmpty();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
        assertThat(f.pipeline.totals().noHandler()).isEqualTo(3);
    }

    @Test
    void neverNamesAGuestOwnedFaultWhenItsHandlerThrows() {
        f.register(new Handlers.Throwing(), HandlerProperties.DOMAIN, "vm1-s1", HandlerProperties.GUEST, "vm1");
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));

        last(d, 1, 0x1000);

        assertThat(f.log.lines).singleElement().asString().contains("threw on a guest-owned fault")
                .doesNotContain("0000:00:03.0");
    }

    @Test
    void printsAHostPasidOfADeviceWhoseOtherPasidBelongsToAGuest() {
        DevicePort d = f.device(DEV);
        d.attach(Pasid.NONE, Domain.nested("vm1-s1", "vm1"));
        d.attach(4, Domain.sva("host-proc"));

        d.reportPageRequest(4, 1, LAST | PageRequest.FLAG_PASID_VALID, Permissions.READ, 0x1000, 0, 0);

        assertThat(f.log.lines).hasSize(1);
    }

    @Test
    void limitsUnhandledFaultLinesToTenPerFiveSecondsPerDevice() {
        DevicePort d = f.device(DEV);
        for (int i = 0; i < 25; i++) {
            last(d, i, 0x1000);
        }
        last(f.device(DEV2), 1, 0x1000);

        assertThat(f.log.count("0000:00:03.0: unhandled")).isEqualTo(10);
        assertThat(f.log.count("0000:00:04.0: unhandled")).isEqualTo(1);
        assertThat(f.backend.responses()).hasSize(26);

        f.ticker.advance(5, TimeUnit.SECONDS); // the window's end itself: still limited, as Linux's ___ratelimit
        last(d, 98, 0x1000);
        assertThat(f.log.count("0000:00:03.0: unhandled")).isEqualTo(10);

        f.ticker.advance(1, TimeUnit.MILLISECONDS);
        last(d, 99, 0x1000);

        assertThat(f.log.lines).contains("WARN 0000:00:03.0: 16 lines suppressed");
        assertThat(f.log.count("0000:00:03.0: unhandled")).isEqualTo(11);
    }

    @Test
    void appliesAReconfiguredRateLimit() {
        f.pipeline.reconfigure(Settings.DEFAULTS.withLogRate(2, 1000));
        DevicePort d = f.device(DEV);
        for (int i = 0; i < 5; i++) {
            last(d, i, 0x1000);
        }

        assertThat(f.log.count("unhandled")).isEqualTo(2);
    }

    @Test
    void logsMalformedReportsRateLimited() {
        DevicePort d = f.device(DEV);
        d.reportPageRequest(0x100000, 1, LAST, Permissions.READ, 0, 0, 0);

        assertThat(f.log.lines).singleElement().asString().contains("PASID 0x100000 is outside [0, 0xfffff]");
    }
}
