package dev.faultline.demo.internal.shell;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import dev.faultline.demo.StepResult;
import dev.faultline.demo.internal.SummaryTable;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * {@code faultline:demo}: runs the demo scenario in the running framework and prints its summary, as
 * {@code ./faultline demo} does, or JSON with {@code --json}.
 */
@Component(service = DemoCommand.class)
@ShellCommands(function = "demo")
public final class DemoCommand {
    static final String USAGE = "[--json]";

    private final DemoScenario scenario;

    /** The component. */
    @Activate
    public DemoCommand(@Reference DemoScenario scenario) {
        this.scenario = scenario;
    }

    /** Runs the demo once. */
    @Descriptor("run the demo scenario (devices fault through SMMUv3 and VT-d) and print its summary")
    public String demo(@Descriptor(USAGE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:demo", USAGE, arguments);
        DemoReport report = scenario.run(step -> { });
        return args.json() ? json(report) : SummaryTable.render(report);
    }

    private static String json(DemoReport report) {
        Table steps = Table.of("step", "outcome", "facts").titled("steps");
        for (StepResult step : report.steps()) {
            steps.row(step.title(), step.outcome().name(), step.facts());
        }
        FaultCounts c = report.counts();
        DemoReport.Latency l = report.latency();
        DemoReport.GuestFaults g = report.guests();
        Table summary = Table.of("passed", "balanced", "millis", "reported", "groups", "success", "invalid", "failure",
                "timed_out", "no_handler", "guest_forwarded", "guest_read", "guest_answered", "host_prints_of_guest_faults",
                "latency_groups", "p50_us", "p99_us", "max_us").titled("summary");
        summary.row(report.passed(), report.balanced(), report.millis(), c.reported(), c.groups(), c.answeredSuccess(),
                c.answeredInvalid(), c.answeredFailure(), c.timedOut(), c.noHandler(), g.forwarded(), g.read(),
                g.answered(), g.hostPrints(), l.groups(), l.p50Micros(), l.p99Micros(), l.maxMicros());
        Table recoveries = Table.of("driver", "recoveries").titled("recoveries");
        report.recoveries().forEach(r -> recoveries.row(r.driver(), r.count()));
        return Table.render(true, steps, summary, recoveries);
    }
}
