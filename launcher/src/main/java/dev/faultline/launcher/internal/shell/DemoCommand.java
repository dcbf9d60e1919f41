package dev.faultline.launcher.internal.shell;

import dev.faultline.launcher.demo.DemoReport;
import dev.faultline.launcher.demo.DemoScenario;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** {@code faultline:demo}: runs the demo scenario in the running framework and returns its report. */
@Component(service = DemoCommand.class)
@ShellCommand(function = "demo")
public final class DemoCommand {
    private final DemoScenario scenario;

    /** The component. */
    @Activate
    public DemoCommand(@Reference DemoScenario scenario) {
        this.scenario = scenario;
    }

    /** Runs the demo once. */
    @Descriptor("run the demo scenario (devices fault through SMMUv3 and VT-d) and return its report")
    public DemoReport demo() {
        return scenario.run(step -> { });
    }
}
