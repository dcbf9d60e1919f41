package dev.faultline.launcher;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;

/**
 * The deploy directory: Apache Felix FileInstall watches it, installs and starts a bundle jar dropped there,
 * updates the bundle when the jar is replaced and uninstalls it when the jar is removed ({@code .cfg} files there
 * become Config Admin configurations the same way). A jar removed while the framework was stopped (a kept
 * storage) is uninstalled at the next start, before anything starts ({@link #uninstallRemoved}): FileInstall
 * itself only sees removals while it runs.
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

    /**
     * Uninstalls the bundles installed from a jar in {@code directory} that is no longer there: removed while the
     * framework was stopped. Called on a framework whose bundles are not started yet.
     *
     * @return the symbolic names of the bundles uninstalled
     * @throws BundleException if one cannot be uninstalled
     */
    public static List<String> uninstallRemoved(BundleContext context, Path directory) throws BundleException {
        Path watched = directory.toAbsolutePath().normalize();
        List<String> uninstalled = new ArrayList<>();
        for (Bundle bundle : context.getBundles()) {
            Path file = deployedFile(bundle.getLocation());
            if (file != null && file.startsWith(watched) && !Files.exists(file)) {
                uninstalled.add(bundle.getSymbolicName());
                bundle.uninstall();
            }
        }
        return uninstalled;
    }

    /** The file a bundle location names ({@code file:} URI, as FileInstall installs), or {@code null}. */
    private static Path deployedFile(String location) {
        if (location == null || !location.startsWith("file:")) {
            return null;
        }
        try {
            return Path.of(URI.create(location)).toAbsolutePath().normalize();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
