package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.LAST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.stats.FaultCounts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MalformedInputTest {
    private final Fixture f = new Fixture();
    private final Handlers.Answering handler = new Handlers.Answering(ResponseCode.SUCCESS);

    @AfterEach
    void close() {
        f.close();
    }

    @ParameterizedTest(name = "pasid {0} group {1} flags {2}: {3}")
    @CsvSource({
        "1048576, 1, 2, outside [0, 0xfffff]",
        "-5, 1, 2, outside [0, 0xfffff]",
        "-1, 1, 3, PASID_VALID set without a PASID",
        "-1, 1, 6, response needs a PASID",
        "-1, -4, 2, group id -4 is negative",
        "-1, 1, 10, undefined bits"
    })
    void rejectsAMalformedLastPageRequestAndStillAnswersItInvalid(int pasid, int group, int flags, String why) {
        f.registerForDevice(handler, DEV);

        ReportOutcome outcome = f.device(DEV).reportPageRequest(pasid, group, flags, Permissions.READ, 0x1000, 0, 0);

        assertThat(outcome).isEqualTo(ReportOutcome.REJECTED);
        assertThat(handler.seen).isEmpty();
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.log.count(why)).isEqualTo(1);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.rejected()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void rejectsAMalformedPartialWithoutAnswering() {
        assertThat(f.device(DEV).reportPageRequest(Pasid.NONE, 1, 0x40, Permissions.READ, 0, 0, 0))
                .isEqualTo(ReportOutcome.REJECTED);
        assertThat(f.backend.responses()).isEmpty();
    }

    @Test
    void rejectsAPageRequestWithoutPermissions() {
        assertThat(f.device(DEV).reportPageRequest(Pasid.NONE, 1, LAST, null, 0, 0, 0))
                .isEqualTo(ReportOutcome.REJECTED);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
    }

    @Test
    void rejectsAMalformedUnrecoverableFault() {
        f.registerForDevice(handler, DEV);
        DevicePort d = f.device(DEV);

        assertThat(d.reportUnrecoverable(0x80, Pasid.NONE, Permissions.READ, 0, 0, HardwareRecord.NONE))
                .isEqualTo(ReportOutcome.REJECTED);
        assertThat(d.reportUnrecoverable(0, 3, Permissions.READ, 0, 0, HardwareRecord.NONE))
                .isEqualTo(ReportOutcome.REJECTED);
        assertThat(d.reportUnrecoverable(0, Pasid.NONE, Permissions.READ, 0x1000, 0, HardwareRecord.NONE))
                .isEqualTo(ReportOutcome.REJECTED);
        assertThat(d.reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE, Permissions.READ, 0x1000, 0, null))
                .isEqualTo(ReportOutcome.REJECTED);

        assertThat(handler.seen).isEmpty();
        assertThat(f.pipeline.totals().rejected()).isEqualTo(4);
    }

    @Test
    void refusesToAttachAnInvalidPasidOrNoDomain() {
        DevicePort d = f.device(DEV);
        assertThatThrownBy(() -> d.attach(0x100000, Domain.dma("x"))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> d.attach(1, null)).isInstanceOf(NullPointerException.class);
    }

    @Test
    void refusesAFaultOfAnotherDeviceThroughTheValueReport() {
        assertThatThrownBy(() -> f.device(DEV).report(PageRequest.last(Fixture.DEV2, 1, 0, Permissions.READ)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("reported on 0000:00:03.0");
    }

    @Test
    void refusesANullResponseCode() {
        java.util.List<Throwable> errors = new java.util.ArrayList<>();
        f.registerForDevice(group -> {
            try {
                group.respond(null);
            } catch (NullPointerException e) {
                errors.add(e);
            }
            group.respond(ResponseCode.SUCCESS);
        }, DEV);

        Fixture.last(f.device(DEV), 1, 0x1000);

        assertThat(errors).hasSize(1);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
    }
}
