package dev.faultline.demo.internal;

import dev.faultline.demo.StepResult;
import java.util.ArrayList;
import java.util.List;

/** The facts a step observed, each either plain or an expectation that held or failed. */
final class Checks {
    private final List<String> facts = new ArrayList<>();
    private boolean failed;

    /** Records an observation. */
    void fact(String fact) {
        facts.add(fact);
    }

    /** Records an expectation: the fact, marked when it did not hold. */
    void expect(boolean held, String fact) {
        facts.add(held ? fact : "FAILED: " + fact);
        failed |= !held;
    }

    StepResult result(String title) {
        return new StepResult(title, failed ? StepResult.Outcome.FAILED : StepResult.Outcome.PASSED, facts);
    }

    /** A step that could not run, and why. */
    static StepResult notRun(String title, String reason) {
        return new StepResult(title, StepResult.Outcome.NOT_RUN, List.of(reason));
    }
}
