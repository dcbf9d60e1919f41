package dev.faultline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link Main} does before it starts a framework: usage, and the checks that fail fast. */
class MainTest {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private final Main main = new Main(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8));

    @Test
    void printsUsageForHelpAndExitsZero() {
        assertThat(main.run("--help")).isEqualTo(Main.OK);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("usage: faultline").contains("demo");
    }

    @Test
    void exitsTwoWithOneMessageAndTheUsageOnABadCommand() {
        assertThat(main.run("frobnicate")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("faultline: unknown command 'frobnicate'\nusage: faultline");
    }

    @Test
    void exitsTwoNamingTheLineOfABadConfigurationBeforeStartingAnything(@TempDir Path dir) throws Exception {
        Path config = Files.writeString(dir.resolve("bad.conf"), "[dev.faultline.core]\nno equals sign\n");

        assertThat(main.run("--config", config.toString(), "demo")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8).strip())
                .isEqualTo("faultline: " + config.toAbsolutePath() + ":2: expected key = value, got 'no equals sign'");
    }

    @Test
    void exitsTwoWhenTheConfigurationFileIsMissing(@TempDir Path dir) {
        assertThat(main.run("--config", dir.resolve("absent.conf").toString(), "demo")).isEqualTo(Main.USAGE);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith("faultline: cannot read configuration file");
    }
}
