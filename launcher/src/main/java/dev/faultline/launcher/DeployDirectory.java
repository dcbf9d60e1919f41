package dev.faultline.launcher;

import java.nio.file.Path;
import java.util.Map;

/**
 * The deploy directory: Apache Felix FileInstall watches it, installs and starts a bundle jar dropped there,
 * updates the bundle when the jar is replaced and uninstalls it when the jar is removed ({@code .cfg} files there
 * become Config Admin configurations the same way).
 */
public final class DeployDirectory {
    /** The symbolic name of Apache Felix FileInstall, the watcher. */
    public static final String WATCHER_BUNDLE = "org.apache.felix.fileinstall";
    /** How often the directory is looked at, in milliseconds. */
    static final long POLL_MILLIS = 1000;

    private DeployDirectory() {
    }

    /**
     * The framework properties that point FileInstall at {@code directory}: polled every {@value #POLL_MILLIS} ms,
     * scanned at once when FileInstall starts, bundles started as they are installed, only warnings and errors
     * logged (through the log service), and configuration files never written back.
     */
    public static Map<String, String> properties(Path directory) {
        return Map.of(
                "felix.fileinstall.dir", directory.toString(),
                "felix.fileinstall.poll", Long.toString(POLL_MILLIS),
                "felix.fileinstall.noInitialDelay", "true",
                "felix.fileinstall.bundles.new.start", "true",
                "felix.fileinstall.log.level", "2",
                "felix.fileinstall.enableConfigSave", "false");
    }
}
