package dev.faultline.demo;

import java.util.List;

/**
 * One step of the demo.
 *
 * @param title what the step shows
 * @param outcome whether it ran and behaved as expected
 * @param facts what was observed (one short line each), or why it did not run
 */
public record StepResult(String title, Outcome outcome, List<String> facts) {

    public StepResult {
        facts = List.copyOf(facts);
    }

    /** How a step ended. */
    public enum Outcome {
        /** It ran and every check held. */
        PASSED,
        /** It ran and a check failed (the facts say which). */
        FAILED,
        /** A piece it needs is not installed or not running; nothing was done. */
        NOT_RUN
    }
}
