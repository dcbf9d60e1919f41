package dev.faultline.demo.internal;

import dev.faultline.demo.StepResult;
import java.util.Set;

/** One step of the demo scenario. */
interface DemoStep {

    /** What the step shows, one line. */
    String title();

    /**
     * Runs the step; returns {@link StepResult.Outcome#NOT_RUN} with the reason when a piece it needs is
     * missing, without doing anything.
     */
    StepResult run(DemoServices services) throws Exception;

    /**
     * The bundles (symbolic names) whose log lines this step causes on purpose: the console labels them as the
     * step's while it runs.
     */
    default Set<String> expectedLogSources() {
        return Set.of();
    }
}
