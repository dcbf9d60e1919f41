package dev.faultline.launcher.internal.demo;

import dev.faultline.launcher.demo.DemoReport;
import dev.faultline.launcher.demo.DemoScenario;
import java.io.PrintStream;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * The launcher's {@code demo} command: runs the {@link DemoScenario} with a progress display (one line
 * rewritten in place on a terminal, plain lines otherwise) and prints the summary. Exit status 0 when no step
 * failed and the core's counters balance, else 1.
 */
@Component(service = ToIntFunction.class, property = "faultline.launcher.task=demo")
public final class DemoTask implements ToIntFunction<String[]> {
    private final DemoScenario scenario;
    private final PrintStream out;
    private final boolean terminal;

    /** The component. */
    @Activate
    public DemoTask(@Reference DemoScenario scenario) {
        this(scenario, System.out, System.console() != null);
    }

    DemoTask(DemoScenario scenario, PrintStream out, boolean terminal) {
        this.scenario = scenario;
        this.out = out;
        this.terminal = terminal;
    }

    @Override
    public int applyAsInt(String[] args) {
        DemoReport report = scenario.run(progress());
        if (terminal) {
            out.print("\r\033[K");
        }
        out.print(SummaryTable.render(report));
        out.flush();
        return report.passed() ? 0 : 1;
    }

    private Consumer<String> progress() {
        if (!terminal) {
            return out::println;
        }
        return line -> {
            out.print("\r\033[K" + line);
            out.flush();
        };
    }
}
