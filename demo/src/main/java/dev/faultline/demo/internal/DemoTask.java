package dev.faultline.demo.internal;

import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import dev.faultline.shell.console.StatusLine;
import java.io.PrintStream;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's {@code demo} command: runs the {@link DemoScenario} with a progress display (the
 * {@link StatusLine}: one line rewritten in place on a terminal, with log lines printed above it; plain lines
 * otherwise) and prints the summary. Exit status 0 when no step failed and the core's counters balance, else 1.
 */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=demo")
public final class DemoTask implements ToIntFunction<String[]> {
    private final DemoScenario scenario;
    private final StatusLine console;
    private final PrintStream out;

    /** The component. */
    @Activate
    public DemoTask(@Reference DemoScenario scenario, @Reference StatusLine console) {
        this(scenario, console, System.out);
    }

    DemoTask(DemoScenario scenario, StatusLine console, PrintStream out) {
        this.scenario = scenario;
        this.console = console;
        this.out = out;
    }

    @Override
    public int applyAsInt(String[] args) {
        DemoReport report;
        try {
            report = scenario.run(console::show);
        } finally {
            console.clear();
        }
        out.print(SummaryTable.render(report));
        out.flush();
        return report.passed() ? 0 : 1;
    }
}
