package dev.faultline.launcher;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs the packaged launcher jar ({@code java -jar}) as a user would, with a bounded wait. */
final class LauncherProcess {
    private static final long TIMEOUT_SECONDS = 120;

    /** What one run printed and returned. */
    record Result(int exitStatus, String out, String err) {
    }

    private LauncherProcess() {
    }

    /** The jar the build packaged (system property {@code faultline.jar}). */
    static Path jar() {
        return Path.of(System.getProperty("faultline.jar", "target/dev.faultline.launcher-1.1.0-SNAPSHOT.jar"));
    }

    static Result run(String stdin, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        // the console's HTTP service on an ephemeral port: runs side by side never compete for one
        command.add("-Dorg.osgi.service.http.port=0");
        command.add("-jar");
        command.add(jar().toString());
        Path dir = Files.createTempDirectory("faultline-run-");
        if (!List.of(args).contains("--deploy")) {
            // a deploy directory of the run's own, not ./deploy in the module
            command.add("--deploy");
            command.add(dir.resolve("deploy").toString());
        }
        command.addAll(List.of(args));
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Path in = Files.writeString(dir.resolve("in"), stdin);
        Process process = new ProcessBuilder(command).redirectInput(in.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).start();
        if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("faultline " + String.join(" ", args) + " did not exit within "
                    + TIMEOUT_SECONDS + " s; output so far:\n" + Files.readString(out) + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }
}
