package dev.faultline.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code scripts/report.py} grades a run against {@code targets.tsv} only where the error bars decide: a synthetic
 * JMH result file with one clear pass, one clear miss and one interval straddling its bound must give "met",
 * "not met" and "no verdict", and rows the run lacks "not measured".
 */
class ReportGradingTest {
    @TempDir
    Path run;

    private static String thrpt(String benchmark, String params, double score, double error, String extra) {
        return """
                {"benchmark": "dev.faultline.benchmarks.%s", "mode": "thrpt", "threads": 1, "params": {%s},
                 "primaryMetric": {"score": %s, "scoreError": %s, "scoreUnit": "ops/us"},
                 "secondaryMetrics": {%s}}""".formatted(benchmark, params, score, error, extra);
    }

    @Test
    void verdictsFollowTheIntervalsNotThePointValues() throws Exception {
        String allocationFree = "\"\u00b7gc.alloc.rate.norm\": {\"score\": 0.00001, \"scoreError\": 0.00002, \"scoreUnit\": \"B/op\"}";
        String cpu = "\"\u00b7cpu.time.norm\": {\"score\": 12.5, \"scoreError\": 0.5, \"scoreUnit\": \"ns/op\"}";
        String sample = """
                {"benchmark": "dev.faultline.benchmarks.FaultlineBenchmark.inline", "mode": "sample", "threads": 1,
                 "params": {"devices": "1"}, "primaryMetric": {"score": 0.05, "scoreError": 0.001, "scoreUnit": "us/op",
                 "scorePercentiles": {"50.0": 0.05, "99.0": 0.08, "99.9": 0.29}}, "secondaryMetrics": {}}""";
        String json = "[" + String.join(",", List.of(
                // 1 device: 300 / 100 = 3x the bare loop's time, interval 2.96-3.04: within "at most 4x"
                thrpt("FaultlineBenchmark.inline", "\"devices\": \"1\"", 100, 1, allocationFree + "," + cpu),
                thrpt("DirectCallBenchmark.call", "\"devices\": \"1\"", 300, 1, ""),
                // 1,024 devices: 4.5x at the point, but 3.0-9.0 with the error bars: straddles "at most 5x"
                thrpt("FaultlineBenchmark.inline", "\"devices\": \"1024\"", 100, 50, ""),
                thrpt("DirectCallBenchmark.call", "\"devices\": \"1024\"", 450, 1, ""),
                // Guava at half Faultline's throughput: 2x, clearly under "at least 3x"
                thrpt("GuavaEventBusBenchmark.post", "\"devices\": \"1\"", 50, 1, ""),
                // 64 in flight on SMMUv3 stall: 800 ns of process CPU per fault = 1.25 M per CPU-second, clearly met
                thrpt("EndToEndInflightBenchmark.fault",
                        "\"protocol\": \"smmuv3-stall\", \"devices\": \"8\", \"pasids\": \"8\"", 0.5, 0.01,
                        "\"\u00b7cpu.time.norm\": {\"score\": 800, \"scoreError\": 10, \"scoreUnit\": \"ns/op\"}"),
                sample)) + "]";
        Files.writeString(run.resolve("results.json"), json);

        String table = report();

        assertThat(row(table, "inline path at most 4x the bare loop's time, 1 device"))
                .contains("| 3 |").contains("| **met** |");
        assertThat(row(table, "inline path at most 5x the bare loop's time, 1,024 devices"))
                .contains("| 4.5 |").contains("no verdict: the interval straddles the target");
        assertThat(row(table, "at least 3x Guava EventBus, 1 device"))
                .contains("| 2 |").contains("| not met |");
        assertThat(row(table, "inline path allocates nothing per fault, 1 device")).contains("| **met** |");
        assertThat(row(table, "end to end, SMMUv3 stall: at least 1 M faults per CPU-second, 64 in flight"))
                .contains("| **met** |");
        assertThat(row(table, "end to end, VT-d PRQ: at least 1 M faults per CPU-second, 64 in flight"))
                .contains("not measured in this run");
        assertThat(table).contains("End to end: smmuv3-stall, 64 in flight (8 devices x 8 PASIDs)");
        // the CPU time per fault reaches the table; sub-100 ns percentiles are not quoted as numbers
        assertThat(table).contains("| 12.5 |").contains("< 100 ns").contains("290 ns");
    }

    @Test
    void aMalformedTargetsFileIsRefusedWithItsLine() throws Exception {
        Path targets = run.resolve("targets.tsv");
        Files.writeString(targets, "id\ttarget\tmetric\tsubject\tpeer\trelation\tbound\n"
                + "x\tsomething\tthrpt-ratio\tFaultlineBenchmark.inline\t-\t>=\t1\n");
        Process p = new ProcessBuilder("python3", "-c",
                "import sys; sys.path.insert(0, 'scripts'); import grading; grading.load_targets(sys.argv[1])",
                targets.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isNotZero();
        assertThat(out).contains("target x: a ratio needs a peer");
    }

    private String report() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("python3", "scripts/report.py", run.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return Files.readString(run.resolve("table.md"));
    }

    private static String row(String table, String target) {
        return table.lines().filter(l -> l.startsWith("| " + target + " |")).findFirst()
                .orElseThrow(() -> new AssertionError("no row for " + target + " in\n" + table));
    }
}
