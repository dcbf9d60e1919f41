package dev.faultline.core.internal;

import static dev.faultline.core.internal.Fixture.DEV;
import static dev.faultline.core.internal.Fixture.last;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultCounts;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class AnswerRulesTest {
    private final Fixture f = new Fixture();

    @AfterEach
    void close() {
        f.close();
    }

    @Test
    void answersInvalidWhenNoHandlerIsRegistered() {
        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.NO_HANDLER);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        FaultCounts c = f.pipeline.totals();
        assertThat(c.noHandler()).isEqualTo(1);
        assertThat(c.answeredInvalid()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void answersFailureWhenTheHandlerThrows() {
        f.registerForDevice(new Handlers.Throwing(), DEV);

        assertThat(last(f.device(DEV), 1, 0x1000)).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.FAILURE);
        assertThat(f.pipeline.totals().handlerErrors()).isEqualTo(1);
        assertThat(f.log.count("threw")).isEqualTo(1);
        assertThat(f.log.count("test.bundle")).isEqualTo(1);
    }

    @Test
    void keepsTheHandlersAnswerWhenItThrowsAfterAnswering() {
        f.registerForDevice(new Handlers.AnswersThenThrows(), DEV);

        last(f.device(DEV), 1, 0x1000);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().handlerErrors()).isEqualTo(1);
    }

    @Test
    void answersInvalidAndCountsAbandonedWhenTheHandlerNeitherAnswersNorDefers() {
        f.registerForDevice(new Handlers.NeverAnswers(), DEV);

        last(f.device(DEV), 1, 0x1000);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID);
        assertThat(f.pipeline.totals().abandoned()).isEqualTo(1);
        assertThat(f.pipeline.handlers().get(0).counts().abandoned()).isEqualTo(1);
    }

    @Test
    void sendsOnlyTheFirstAnswerAndCountsTheRestAsDuplicates() {
        Handlers.AnswersTwice twice = new Handlers.AnswersTwice();
        f.registerForDevice(twice, DEV);

        last(f.device(DEV), 1, 0x1000);

        assertThat(twice.results).containsExactly(true, false);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(f.pipeline.totals().duplicates()).isEqualTo(1);
    }

    @Test
    void sendsADeferredGroupsAnswerWhenItComesAndRejectsALaterOne() {
        Handlers.Deferring deferring = new Handlers.Deferring();
        f.registerForDevice(deferring, DEV);
        last(f.device(DEV), 9, 0x1000);
        assertThat(f.backend.responses()).isEmpty();
        assertThat(f.pipeline.pending()).singleElement().satisfies(p -> {
            assertThat(p.groupId()).isEqualTo(9);
            assertThat(p.queued()).isFalse();
        });
        assertThat(f.pipeline.totals().pending()).isEqualTo(1);

        DeferredGroup g = deferring.held.get(0);
        assertThat(g.respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(g.respond(ResponseCode.FAILURE)).isFalse();

        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
        assertThat(f.pipeline.pending()).isEmpty();
        FaultCounts c = f.pipeline.totals();
        assertThat(c.duplicates()).isEqualTo(1);
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void deferTwiceReturnsTheSameHandleAndTheSlotAnswersThroughIt() {
        List<Object> seen = new ArrayList<>();
        f.registerForDevice(group -> {
            DeferredGroup a = group.defer();
            seen.add(a == group.defer());
            seen.add(group.respond(ResponseCode.SUCCESS));
            seen.add(a.answered());
            seen.add(group.answered());
        }, DEV);

        last(f.device(DEV), 1, 0x1000);

        assertThat(seen).containsExactly(true, true, true, true);
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
    }

    @Test
    void refusesToDeferAnAnsweredGroup() {
        List<Throwable> errors = new ArrayList<>();
        f.registerForDevice(group -> {
            group.respond(ResponseCode.SUCCESS);
            try {
                group.defer();
            } catch (IllegalStateException e) {
                errors.add(e);
            }
        }, DEV);

        last(f.device(DEV), 1, 0x1000);

        assertThat(errors).singleElement().extracting(Throwable::getMessage).asString().contains("already answered");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.SUCCESS);
    }

    @Test
    void answersADeferredGroupFailureWhenTheHandlerThrowsAfterDeferring() {
        List<DeferredGroup> held = new ArrayList<>();
        f.registerForDevice(group -> {
            held.add(group.defer());
            throw new IllegalStateException("bug after defer");
        }, DEV);

        last(f.device(DEV), 1, 0x1000);

        assertThat(f.backend.codes()).containsExactly(ResponseCode.FAILURE);
        assertThat(held.get(0).answered()).isTrue();
        assertThat(f.pipeline.pending()).isEmpty();
    }

    @Test
    void deliversUnrecoverableFaultsThroughTheSameCallWithoutAHardwareResponse() {
        List<String> seen = new ArrayList<>();
        f.registerForDevice(group -> seen.add(group.recoverable() + " " + group.groupId() + " "
                + Long.toHexString(group.address(0)) + " " + group.addressValid() + " " + group.fetchAddressValid()
                + " " + group.hardwareRecord().format() + " " + group.fault(0)), DEV);

        ReportOutcome outcome = f.device(DEV).reportUnrecoverable(UnrecoverableFault.ADDR_VALID, Pasid.NONE,
                Permissions.WRITE, 0xdead000, 0, HardwareRecord.of("smmuv3-event", 0x10, 0, 0, 0));

        assertThat(outcome).isEqualTo(ReportOutcome.DELIVERED);
        assertThat(seen).singleElement().asString().startsWith("false -1 dead000 true false smmuv3-event")
                .contains("UnrecoverableFault");
        assertThat(f.backend.responses()).isEmpty();
        FaultCounts c = f.pipeline.totals();
        assertThat(c.delivered()).isEqualTo(1);
        assertThat(c.groups()).isZero();
        assertThat(c.balanced()).isTrue();
    }

    @Test
    void countsAnUnrecoverableFaultNobodyHandles() {
        ReportOutcome outcome = f.device(DEV).reportUnrecoverable(0, Pasid.NONE, Permissions.READ, 0, 0,
                HardwareRecord.NONE);

        assertThat(outcome).isEqualTo(ReportOutcome.NO_HANDLER);
        assertThat(f.backend.responses()).isEmpty();
        assertThat(f.log.count("unhandled unrecoverable fault")).isEqualTo(1);
        assertThat(f.pipeline.totals().noHandler()).isEqualTo(1);
    }

    @Test
    void reportsTheFaultAsAValueThroughTheDefaultReportMethod() {
        Handlers.Answering h = new Handlers.Answering(ResponseCode.SUCCESS);
        f.registerForDevice(h, DEV);
        DevicePort d = f.device(DEV);

        assertThat(d.report(dev.faultline.api.fault.PageRequest.last(DEV, 3, 0x7000, Permissions.READ)))
                .isEqualTo(ReportOutcome.DISPATCHED);
        assertThat(h.seen).containsExactly("group 3 pasid -1 addrs 7000");
    }

    @Test
    void aSlotIsEmptyAgainAfterTheCallSoTheNextFaultStartsFresh() {
        List<Integer> sizes = new ArrayList<>();
        FaultHandler h = group -> {
            sizes.add(group.size());
            group.respond(ResponseCode.SUCCESS);
        };
        f.registerForDevice(h, DEV);
        DevicePort d = f.device(DEV);
        Fixture.partial(d, 1, 0x1000);
        last(d, 1, 0x2000);
        last(d, 2, 0x3000);

        assertThat(sizes).containsExactly(2, 1);
    }

    @Test
    void aHandlerMayReportAnotherFaultFromInsideItsCall() {
        List<String> order = new ArrayList<>();
        DevicePort[] dev2 = new DevicePort[1];
        f.registerForDevice((FaultGroup group) -> {
            order.add("outer " + group.groupId());
            last(dev2[0], 77, 0x1000);
            group.respond(ResponseCode.SUCCESS);
            order.add("outer done " + group.groupId() + " size " + group.size());
        }, DEV);
        f.registerForDevice(group -> {
            order.add("inner " + group.groupId());
            group.respond(ResponseCode.INVALID);
        }, Fixture.DEV2);
        dev2[0] = f.device(Fixture.DEV2);

        last(f.device(DEV), 5, 0x2000);

        assertThat(order).containsExactly("outer 5", "inner 77", "outer done 5 size 1");
        assertThat(f.backend.codes()).containsExactly(ResponseCode.INVALID, ResponseCode.SUCCESS);
    }
}
