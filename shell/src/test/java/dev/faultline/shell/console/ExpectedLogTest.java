package dev.faultline.shell.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

class ExpectedLogTest {
    private static final String VTD = "dev.faultline.intel-vtd";
    private static final String CORE = "dev.faultline.core";

    private final ExpectedLog log = new ExpectedLog();

    @Test
    void labelsTheLinesOfTheBundlesAStepExpectsWhileItRuns() {
        log.expect("3/6", Set.of(VTD), 1_000);

        assertThat(log.label(VTD, 1_000)).isEqualTo("[demo 3/6, expected] ");
        assertThat(log.label(VTD, 1_500)).isEqualTo("[demo 3/6, expected] ");
        assertThat(log.label(CORE, 1_500)).as("another bundle's line is a real problem").isEmpty();
        assertThat(log.label(VTD, 999)).as("logged before the step").isEmpty();
    }

    @Test
    void matchesALineDeliveredLateByTheTimeItWasLogged() {
        log.expect("3/6", Set.of(VTD), 1_000);
        log.expect("4/6", Set.of("dev.faultline.drivers-remoteproc"), 2_000);
        log.end(3_000);

        assertThat(log.label(VTD, 1_999)).isEqualTo("[demo 3/6, expected] ");
        assertThat(log.label("dev.faultline.drivers-remoteproc", 2_500)).isEqualTo("[demo 4/6, expected] ");
        assertThat(log.label(VTD, 2_500)).as("the VT-d unit logging during step 4 is not expected").isEmpty();
        assertThat(log.label("dev.faultline.drivers-remoteproc", 3_001)).as("after the step").isEmpty();
    }

    @Test
    void forgetsTheStepsOfAnEarlierRun() {
        log.expect("3/6", Set.of(VTD), 1_000);
        log.end(2_000);

        log.newRun();

        assertThat(log.label(VTD, 1_500)).isEmpty();
    }

    @Test
    void aStepThatExpectsNothingLabelsNothing() {
        log.expect("1/6", Set.of(), 1_000);

        assertThat(log.label(VTD, 1_500)).isEmpty();
        assertThat(log.label(CORE, 1_500)).isEmpty();
    }
}
