package dev.faultline.demo.internal;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.StepResult;
import java.util.Locale;

/** The demo's closing summary, as text. */
public final class SummaryTable {
    private SummaryTable() {
    }

    /**
     * The summary of {@code report}: each step with its facts, the counters, and the latency figures set against
     * this machine's processors and load; the verdict.
     */
    public static String render(DemoReport report) {
        return render(report, HostLoad.now());
    }

    static String render(DemoReport report, HostLoad host) {
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
        out.append(String.format(Locale.ROOT, "  %-32s %s%n", "report->response, inline pager", l.groups() == 0
                ? "no groups measured"
                : String.format(Locale.ROOT, "p50 %s, p99 %s, max %s over %d groups after warm-up",
                        duration(l.p50Micros()), duration(l.p99Micros()), duration(l.maxMicros()), l.groups())));
        if (l.groups() > 0) {
            out.append(String.format(Locale.ROOT, "    %s%n", "wall clock from the core's receipt of a page request"
                    + " group to the pager's answer, on the IOMMU's fault thread;"));
            out.append(String.format(Locale.ROOT, "    %s%n", host.describe()
                    + ": p99 and max include the time the thread waited for a CPU"));
        }
        out.append(String.format(Locale.ROOT, "  %-32s %s%n", "counters balance", report.balanced() ? "yes" : "NO"));
        out.append(String.format(Locale.ROOT, "%n%s in %.1f s%n", report.passed() ? "demo passed" : "DEMO FAILED",
                report.millis() / 1000.0));
        return out.toString();
    }

    /** Microseconds, or milliseconds from 1 ms on. */
    static String duration(double micros) {
        return micros < 1000 ? String.format(Locale.ROOT, "%.1f us", micros)
                : String.format(Locale.ROOT, "%.2f ms", micros / 1000);
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
