package dev.faultline.launcher.internal.demo;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.launcher.demo.DemoReport;
import dev.faultline.launcher.demo.StepResult;
import java.util.Locale;

/** The demo's closing summary, as text. */
public final class SummaryTable {
    private SummaryTable() {
    }

    /** The summary of {@code report}: each step with its facts, the counters, the latency, the verdict. */
    public static String render(DemoReport report) {
        StringBuilder out = new StringBuilder("\nFaultline demo summary\n\n");
        for (StepResult step : report.steps()) {
            out.append(String.format(Locale.ROOT, "  %-8s %s%n", label(step.outcome()), step.title()));
            for (String fact : step.facts()) {
                out.append("           ").append(fact).append('\n');
            }
        }
        FaultCounts c = report.counts();
        out.append('\n');
        row(out, "faults reported", c.reported());
        row(out, "  page request groups", c.groups());
        row(out, "  partial page requests", c.parked() + c.droppedPartials());
        row(out, "  unrecoverable, to a handler", c.delivered());
        row(out, "  unhandled (no handler)", c.noHandler());
        row(out, "  rejected", c.rejected());
        row(out, "responses SUCCESS", c.answeredSuccess());
        row(out, "responses INVALID", c.answeredInvalid());
        row(out, "responses FAILURE", c.answeredFailure());
        row(out, "timed out / abandoned / lost", c.timedOut() + c.abandoned() + c.lostResponses());
        if (report.recoveries().isEmpty()) {
            out.append(String.format(Locale.ROOT, "  %-32s %s%n", "recoveries", "none ran"));
        }
        for (DemoReport.Recovery r : report.recoveries()) {
            row(out, "recoveries, " + r.driver(), r.count());
        }
        DemoReport.GuestFaults g = report.guests();
        if (g.guests() == 0) {
            out.append(String.format(Locale.ROOT, "  %-32s %s%n", "guests", "none ran"));
        } else {
            row(out, "faults forwarded to guests", g.forwarded());
            row(out, "  read by the guests", g.read());
            row(out, "  answered by the guests", g.answered());
            row(out, "host prints of guest faults", g.hostPrints());
        }
        DemoReport.Latency l = report.latency();
        out.append(String.format(Locale.ROOT, "  %-32s %s%n", "report->response (inline paging)", l.groups() == 0
                ? "no groups measured"
                : String.format(Locale.ROOT, "p50 %.1f us, p99 %.1f us, max %.1f us over %d groups", l.p50Micros(),
                        l.p99Micros(), l.maxMicros(), l.groups())));
        out.append(String.format(Locale.ROOT, "  %-32s %s%n", "counters balance", report.balanced() ? "yes" : "NO"));
        out.append(String.format(Locale.ROOT, "%n%s in %.1f s%n", report.passed() ? "demo passed" : "DEMO FAILED",
                report.millis() / 1000.0));
        return out.toString();
    }

    private static void row(StringBuilder out, String name, long value) {
        out.append(String.format(Locale.ROOT, "  %-32s %8d%n", name, value));
    }

    private static String label(StepResult.Outcome outcome) {
        return switch (outcome) {
            case PASSED -> "ok";
            case FAILED -> "FAILED";
            case NOT_RUN -> "not run";
        };
    }
}
