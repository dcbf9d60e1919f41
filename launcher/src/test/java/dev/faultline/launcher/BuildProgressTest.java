package dev.faultline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The progress filter {@code ./faultline} puts between Maven's log and the user ({@code build-progress.awk}). */
class BuildProgressTest {
    private static final String MAVEN_LOG = """
            [INFO] Scanning for projects...
            [INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/osgi/osgi.core/8.0.0/osgi.core-8.0.0.pom
            [INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/osgi/osgi.core/8.0.0/osgi.core-8.0.0.pom (1.2 kB at 10 kB/s)
            [INFO] ------------------------------------------------------------------------
            [INFO] Building Faultline API 1.0.0-SNAPSHOT                                  [2/12]
            [INFO]   from api/pom.xml
            [INFO] --------------------------------[ jar ]---------------------------------
            [INFO] Downloading from central: https://repo.maven.apache.org/maven2/org/osgi/osgi.core/8.0.0/osgi.core-8.0.0.jar
            [INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/osgi/osgi.core/8.0.0/osgi.core-8.0.0.jar (400 kB at 1 MB/s)
            [INFO] --- resources:3.3.1:resources (default-resources) @ dev.faultline.api ---
            [INFO] --- compiler:3.14.0:compile (default-compile) @ dev.faultline.api ---
            [INFO] Compiling 40 source files with javac [debug release 17] to target/classes
            [INFO] --- compiler:3.14.0:testCompile (default-testCompile) @ dev.faultline.api ---
            [INFO] --- bnd:7.1.0:jar (jar) @ dev.faultline.api ---
            [INFO] --- install:3.1.2:install (default-install) @ dev.faultline.api ---
            [INFO] Building Faultline Core 1.0.0-SNAPSHOT                                 [3/12]
            [INFO] --- compiler:3.14.0:compile (default-compile) @ dev.faultline.core ---
            [INFO] BUILD SUCCESS
            """;

    @Test
    void withoutATerminalItPrintsALinePerModuleWithTheFilesDownloaded() throws Exception {
        String out = awk(false);

        assertThat(out.lines().map(l -> l.replaceAll(", [0-9]+ s\\)$", ")"))).containsExactly(
                "faultline: Maven: downloading dependency descriptions (0 files downloaded)",
                "faultline: [2/12] Faultline API: starting (1 files downloaded)",
                "faultline: [3/12] Faultline Core: starting (2 files downloaded)",
                "faultline: distribution: built (2 files downloaded)");
    }

    @Test
    void onATerminalItRewritesOneLineWithWhatMavenDoesInTheModule() throws Exception {
        String out = awk(true);

        assertThat(out.split("\r\033\\[K")).extracting(l -> l.replaceAll(", [0-9]+ s\\)\n?$", ")")).containsSubsequence(
                "faultline: [2/12] Faultline API: downloading dependencies (1 files downloaded)",
                "faultline: [2/12] Faultline API: copying resources (2 files downloaded)",
                "faultline: [2/12] Faultline API: compiling (2 files downloaded)",
                "faultline: [2/12] Faultline API: compiling its tests (2 files downloaded)",
                "faultline: [2/12] Faultline API: packaging (jar) (2 files downloaded)",
                "faultline: [2/12] Faultline API: installing into the local Maven repository (2 files downloaded)",
                "faultline: [3/12] Faultline Core: compiling (2 files downloaded)",
                "faultline: distribution: built (2 files downloaded)");
        assertThat(out).endsWith("\n").doesNotContain("Scanning");
    }

    private static String awk(boolean tty) throws IOException, InterruptedException {
        Process awk = new ProcessBuilder("awk", "-v", "tty=" + (tty ? 1 : 0), "-f",
                Path.of("build-progress.awk").toString()).redirectErrorStream(true).start();
        try (var in = awk.getOutputStream()) {
            in.write(MAVEN_LOG.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(awk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(awk.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(awk.exitValue()).as(out).isZero();
        return out;
    }
}
