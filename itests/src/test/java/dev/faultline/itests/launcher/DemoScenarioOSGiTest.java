package dev.faultline.itests.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.stats.FaultCounts;
import dev.faultline.demo.DemoReport;
import dev.faultline.demo.DemoScenario;
import dev.faultline.demo.StepResult;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectService;

/**
 * The demo scenario run inside the framework with every Faultline bundle: each step runs and passes, and the
 * summary's figures agree with one another and with what the steps did; guests get their faults and the host's
 * log names none of their devices.
 */
class DemoScenarioOSGiTest {
    @InjectService(timeout = 20_000)
    DemoScenario demo;

    @InjectService
    LogReaderService logReader;

    @Test
    void everyStepRunsAndTheSummaryFiguresAreConsistent() {
        List<String> progress = new CopyOnWriteArrayList<>();

        DemoReport report = demo.run(progress::add);

        assertThat(report.steps()).hasSize(6).allSatisfy(step ->
                assertThat(step.outcome()).as(step.title() + ": " + step.facts()).isEqualTo(StepResult.Outcome.PASSED));
        assertThat(progress).hasSize(7).first().asString().startsWith("[0/6]");
        assertThat(progress.get(6)).startsWith("[6/6] a guest receives its faults");

        FaultCounts c = report.counts();
        // 64 SVA pages, a page read then written (2), 256 pages measured, 32 deferred pages and the x86 guest's
        // page answered SUCCESS; 2 reads outside the SVA area and the guest's refusal of a write to its read-only
        // page answered INVALID
        assertThat(c.answeredSuccess()).isGreaterThanOrEqualTo(64 + 2 + 256 + 32 + 1);
        assertThat(c.answeredInvalid()).isGreaterThanOrEqualTo(3);
        // the usNIC's 8 faults had no handler; the remote processor's fault and the Arm guest's 2 went to handlers
        assertThat(c.noHandler()).isGreaterThanOrEqualTo(8);
        assertThat(c.delivered()).isGreaterThanOrEqualTo(3);
        assertThat(c.pending()).isZero();
        assertThat(c.groups()).isEqualTo(c.answered());
        assertThat(c.reported()).isEqualTo(c.outcomes());
        assertThat(c.timedOut() + c.abandoned() + c.lostResponses() + c.handlerErrors()).isZero();
        assertThat(report.balanced()).isTrue();
        assertThat(report.passed()).isTrue();

        assertThat(report.steps().get(0).facts()).anyMatch(f -> f.contains("made writable in place")
                && f.contains("1 page upgraded"));
        assertThat(report.recoveries()).extracting(DemoReport.Recovery::driver)
                .anyMatch(d -> d.startsWith("remoteproc")).anyMatch(d -> d.startsWith("msm"));
        assertThat(report.recoveries()).allSatisfy(r -> assertThat(r.count()).isEqualTo(1));

        // two guests: the Arm guest's 2 unrecoverable faults and the x86 guest's 2 page request groups reached
        // their vIOMMUs, were read, the groups answered by the guest; the host printed none of them
        assertThat(report.guests()).isEqualTo(new DemoReport.GuestFaults(2, 4, 4, 2, 0));
        assertThat(report.steps().get(5).facts()).anyMatch(f -> f.contains("[W]") && f.contains("PERMISSION (0x13)"))
                .anyMatch(f -> f.contains("[R]") && f.contains("TRANSLATION (0x10)"))
                .anyMatch(f -> f.contains("answered INVALID") && f.contains("PAGE_REQUEST_INVALID"));
        List<String> hostLog = Collections.list(logReader.getLog()).stream().map(LogEntry::getMessage).toList();
        assertThat(hostLog).as("the host printed the usNIC's faults").anyMatch(l -> l.contains("[05:00.2]"))
                .as("and none of the guests'").noneMatch(l -> l.contains("0000:07:00.0") || l.contains("sid: 0x700")
                        || l.contains("[08:00.0]") || l.contains("0000:08:00.0"));

        DemoReport.Latency latency = report.latency();
        assertThat(latency.groups()).as("the inline pager's groups after warm-up").isEqualTo(256);
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
        assertThat(second.guests()).isEqualTo(first.guests());
    }
}
