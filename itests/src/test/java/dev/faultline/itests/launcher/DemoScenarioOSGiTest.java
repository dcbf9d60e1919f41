package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.launcher.demo.DemoReport;
import dev.faultline.launcher.demo.DemoScenario;
import dev.faultline.launcher.demo.StepResult;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.osgi.test.common.annotation.InjectService;

/**
 * The demo scenario run inside the framework with every Faultline bundle: each step runs and passes, and the
 * summary's figures agree with one another and with what the steps did.
 */
class DemoScenarioOSGiTest {
    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @Test
    void everyStepRunsAndTheSummaryFiguresAreConsistent() {
        List<String> progress = new CopyOnWriteArrayList<>();

        DemoReport report = demo.run(progress::add);

        assertThat(report.steps()).hasSize(5).allSatisfy(step ->
                assertThat(step.outcome()).as(step.title() + ": " + step.facts()).isEqualTo(StepResult.Outcome.PASSED));
        assertThat(progress).hasSize(6).first().asString().startsWith("[0/5]");
        assertThat(progress.get(5)).startsWith("[5/5]");

        FaultCounts c = report.counts();
        // 64 SVA pages + 32 deferred pages answered SUCCESS; 2 reads outside the area answered INVALID
        assertThat(c.answeredSuccess()).isGreaterThanOrEqualTo(96);
        assertThat(c.answeredInvalid()).isGreaterThanOrEqualTo(2);
        // the usNIC's 8 faults had no handler; the remote processor's fault went to its handler
        assertThat(c.noHandler()).isGreaterThanOrEqualTo(8);
        assertThat(c.delivered()).isGreaterThanOrEqualTo(1);
        assertThat(c.pending()).isZero();
        assertThat(c.groups()).isEqualTo(c.answered());
        assertThat(c.reported()).isEqualTo(c.outcomes());
        assertThat(c.timedOut() + c.abandoned() + c.lostResponses() + c.handlerErrors()).isZero();
        assertThat(report.balanced()).isTrue();
        assertThat(report.passed()).isTrue();

        assertThat(report.recoveries()).extracting(DemoReport.Recovery::driver)
                .anyMatch(d -> d.startsWith("remoteproc")).anyMatch(d -> d.startsWith("msm"));
        assertThat(report.recoveries()).allSatisfy(r -> assertThat(r.count()).isEqualTo(1));

        DemoReport.Latency latency = report.latency();
        assertThat(latency.groups()).as("the inline pager's groups").isEqualTo(66);
        assertThat(latency.p50Micros()).isPositive();
        assertThat(latency.p99Micros()).isGreaterThanOrEqualTo(latency.p50Micros());
        assertThat(latency.maxMicros()).isGreaterThanOrEqualTo(latency.p99Micros());
    }

    @Test
    void runsAgainInTheSameFrameworkWithTheSameOutcome() {
        DemoReport first = demo.run(line -> { });
        DemoReport second = demo.run(line -> { });

        assertThat(second.passed()).as(second.steps().toString()).isTrue();
        assertThat(second.counts().answeredSuccess()).isEqualTo(first.counts().answeredSuccess());
        assertThat(second.counts().noHandler()).isEqualTo(first.counts().noHandler());
    }
}
