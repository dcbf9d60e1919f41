package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.standalone.StandaloneCore;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * Coverage-guided fuzzing (Jazzer) of the kernel log decoder, seeded with real fault logs: any bytes, read as
 * UTF-8 with malformed sequences replaced, decode without an exception into reports that each stand on an input
 * line, render as a table and as JSON the strict reader accepts, and replay through a real core with every page
 * request group answered exactly once and the core's counters balanced.
 *
 * <p>In a normal build only the committed corpus ({@code src/test/resources/.../KernelLogFuzzTestInputs}) runs;
 * {@code JAZZER_FUZZ=1} fuzzes for {@code maxDuration}.
 */
class KernelLogFuzzTest {
    private static StandaloneCore core;
    private final LogDecoder decoder = new LogDecoder();

    @BeforeAll
    static void startCore() {
        core = StandaloneCore.builder().start();
    }

    @AfterAll
    static void stopCore() {
        core.close();
    }

    @FuzzTest(maxDuration = "10s")
    void anyLogTextDecodesRendersAndReplaysWithEveryGroupAnsweredOnce(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        DecodedLog log = decoder.decode(text);

        String[] lines = text.split("\r\n|\r|\n", -1);
        long nonBlank = Arrays.stream(lines).filter(l -> !l.isBlank()).count();
        assertThat((long) log.faults().size()).isLessThanOrEqualTo(nonBlank);
        assertThat((long) log.ignoredLines()).isBetween(0L, nonBlank);
        for (DecodedFault fault : log.faults()) {
            assertThat(fault.line()).isBetween(1, log.lines());
            assertThat(Json.object(JsonLines.toJson(fault))).containsEntry("format", fault.format().key());
            FaultConversion conversion = fault.convert();
            assertThat(conversion.fault().isPresent()).isEqualTo(conversion instanceof FaultConversion.Converted);
        }
        assertThat(FaultTable.render(log)).isNotNull();

        ReplayReport report = new Replayer(core.pipeline()).replay(log, ReplayOptions.defaults());
        assertThat(report.clean()).as("replay of %s: %s", log.faults(), report).isTrue();
        int answered = Arrays.stream(ResponseCode.values()).mapToInt(report::responses).sum();
        assertThat(answered).isEqualTo(report.awaitedResponses());
        assertThat(report.replayed() + report.notReplayed().values().stream().mapToInt(Integer::intValue).sum())
                .isEqualTo(report.decoded());
        FaultCounts totals = core.statistics().totals();
        assertThat(totals.balanced()).as("core counters after replay: %s", totals).isTrue();
    }
}
