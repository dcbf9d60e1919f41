package dev.faultline.launcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a Faultline distribution: the launcher bundle (this jar, which also holds the demo and the shell
 * commands) and the directory of bundles to install with it.
 *
 * @param launcherBundle the launcher's own jar, or its classes directory when run from an IDE or a test
 * @param bundleDirectory the directory whose {@code *.jar} files are installed
 */
public record Distribution(Path launcherBundle, Path bundleDirectory) {

    /**
     * The distribution this class was loaded from: its jar, and {@code bundle/} beside it. The system property
     * {@code faultline.bundles} names another bundle directory.
     *
     * @throws LaunchException if the bundle directory does not exist
     */
    public static Distribution locate() throws LaunchException {
        Path self;
        try {
            self = Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (URISyntaxException | SecurityException | NullPointerException e) {
            throw new LaunchException(Main.STARTUP_FAILED, "cannot locate the launcher jar", e);
        }
        String configured = System.getProperty("faultline.bundles");
        Path bundles = configured != null ? Path.of(configured) : self.resolveSibling("bundle");
        if (!Files.isDirectory(bundles)) {
            throw new LaunchException(Main.STARTUP_FAILED, "no bundle directory at " + bundles
                    + " (build the distribution with ./mvnw install -DskipTests -pl launcher -am)");
        }
        return new Distribution(self, bundles);
    }

    /**
     * Install locations of every bundle, the launcher bundle last. A classes directory is installed in place
     * ({@code reference:}), which Felix supports for exploded bundles.
     *
     * @throws LaunchException if the bundle directory cannot be read or holds no bundle
     */
    public List<String> bundleLocations() throws LaunchException {
        List<String> locations = new ArrayList<>();
        try (Stream<Path> files = Files.list(bundleDirectory)) {
            files.filter(f -> f.getFileName().toString().endsWith(".jar")).sorted()
                    .forEach(f -> locations.add(f.toUri().toString()));
        } catch (IOException e) {
            throw new LaunchException(Main.STARTUP_FAILED, "cannot list " + bundleDirectory, e);
        }
        if (locations.isEmpty()) {
            throw new LaunchException(Main.STARTUP_FAILED, "no bundle in " + bundleDirectory);
        }
        locations.add(Files.isDirectory(launcherBundle)
                ? "reference:" + launcherBundle.toUri() : launcherBundle.toUri().toString());
        return locations;
    }
}
