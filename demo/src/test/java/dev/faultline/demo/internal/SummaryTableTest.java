package dev.faultline.demo.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.StepResult;
import java.util.List;
import org.junit.jupiter.api.Test;

class SummaryTableTest {
    private static final FaultCounts COUNTS = FaultCounts.builder().reported(12).dispatched(10).delivered(1).noHandler(1).groups(10)
            .answeredSuccess(9).answeredInvalid(1).build();

    @Test
    void showsEachStepWithItsFactsAndTheCoresFigures() {
        DemoReport report = new DemoReport(List.of(
                new StepResult("paging", StepResult.Outcome.PASSED, List.of("9 pages mapped")),
                new StepResult("gpu", StepResult.Outcome.NOT_RUN, List.of("no GPU"))),
                COUNTS, true, List.of(new DemoReport.Recovery("remoteproc mpss", 1)),
                new DemoReport.Latency(9, 12.5, 80.25, 90), 1500);

        String table = SummaryTable.render(report);

        assertThat(table).contains("  ok       paging\n           9 pages mapped\n")
                .contains("  not run  gpu\n           no GPU\n")
                .contains("  faults reported                        12\n")
                .contains("  responses SUCCESS                       9\n")
                .contains("  recoveries, remoteproc mpss             1\n")
                .contains("report->response, inline pager   p50 12.5 us, p99 80.3 us, max 90.0 us over 9 groups"
                        + " after warm-up")
                .contains("counters balance                 yes")
                .endsWith("demo passed in 1.5 s\n");
    }

    @Test
    void saysWhatTheLatencyMeasuresAndTheLoadItWasMeasuredUnder() {
        DemoReport report = new DemoReport(List.of(), COUNTS, true, List.of(),
                new DemoReport.Latency(256, 80.7, 2_400, 25_321.9), 10);

        String table = SummaryTable.render(report, new HostLoad(2, 23.5));

        assertThat(table).contains("p50 80.7 us, p99 2.40 ms, max 25.32 ms over 256 groups after warm-up")
                .contains("wall clock from the core's receipt of a page request group to the pager's answer")
                .contains("2 CPUs, load average 23.5 (11.8 runnable threads per CPU): p99 and max include the time"
                        + " the thread waited for a CPU");
        assertThat(SummaryTable.render(report, new HostLoad(1, -1))).contains("1 CPU, load average unknown");
    }

    @Test
    void saysTheDemoFailedWhenAStepFailedOrTheCountersDoNotBalance() {
        DemoReport failedStep = new DemoReport(List.of(new StepResult("paging", StepResult.Outcome.FAILED,
                List.of("FAILED: 3/4 writes completed"))), COUNTS, true, List.of(),
                new DemoReport.Latency(0, 0, 0, 0), 10);
        DemoReport unbalanced = new DemoReport(List.of(), COUNTS, false, List.of(),
                new DemoReport.Latency(0, 0, 0, 0), 10);

        assertThat(SummaryTable.render(failedStep)).contains("  FAILED   paging").contains("DEMO FAILED")
                .contains("no groups measured").doesNotContain("wall clock").contains("recoveries                       none ran");
        assertThat(SummaryTable.render(unbalanced)).contains("counters balance                 NO")
                .contains("DEMO FAILED");
    }

    @Test
    void showsWhatReachedTheGuestsAndWhatTheHostPrintedOfIt() {
        DemoReport withGuests = new DemoReport(List.of(), COUNTS, true, List.of(),
                new DemoReport.Latency(0, 0, 0, 0), new DemoReport.GuestFaults(2, 4, 4, 2, 0), 10);
        DemoReport withoutGuests = new DemoReport(List.of(), COUNTS, true, List.of(),
                new DemoReport.Latency(0, 0, 0, 0), 10);

        assertThat(SummaryTable.render(withGuests)).contains("  faults forwarded to guests              4\n")
                .contains("    read by the guests                    4\n")
                .contains("    answered by the guests                2\n")
                .contains("  host prints of guest faults             0\n");
        assertThat(SummaryTable.render(withoutGuests)).contains("guests                           none ran")
                .doesNotContain("forwarded to guests");
    }

    @Test
    void subtractsCountersButKeepsTheLaterPendingFigure() {
        FaultCounts later = FaultCounts.builder().reported(20).dispatched(18).delivered(1).noHandler(1).groups(18)
                .answeredSuccess(16).answeredInvalid(1).pending(1).build();

        FaultCounts delta = DemoRunner.minus(later, COUNTS);

        assertThat(delta.reported()).isEqualTo(8);
        assertThat(delta.answeredSuccess()).isEqualTo(7);
        assertThat(delta.pending()).isEqualTo(1);
    }
}
