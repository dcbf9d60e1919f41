package dev.faultline.launcher;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a Faultline distribution: the directory of bundles to install, beside the launcher's jar (a plain
 * executable, not a bundle: what runs inside the framework is in the bundles, the shell bundle
 * {@value #SHELL_BUNDLE} among them).
 *
 * @param bundleDirectory the directory whose {@code *.jar} files are installed
 */
public record Distribution(Path bundleDirectory) {
    /**
     * The symbolic name of the shell bundle: the launcher's {@code configure} task, the console log and the shell
     * commands. It starts with the framework's services, before the bundles that wait for the configuration.
     */
    public static final String SHELL_BUNDLE = "dev.faultline.shell";


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
        return new Distribution(bundles);
    }

    /**
     * Install locations of every bundle, in file-name order.
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
        return locations;
    }
}
