package dev.faultline.shell.internal.shell;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Enumeration;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.osgi.framework.Bundle;

/** What {@code faultline:swap} knows about bundle jars: whether content is one, and the running one's content. */
final class BundleJar {
    private static final String MANIFEST = "META-INF/MANIFEST.MF";

    private BundleJar() {
    }

    /**
     * Checks that {@code content} is a jar with a bundle manifest naming {@code symbolicName}.
     *
     * @param source where it came from, for the message
     * @throws IllegalArgumentException saying what it is not
     */
    static void check(byte[] content, String source, String symbolicName) {
        Manifest manifest;
        try (JarInputStream jar = new JarInputStream(new ByteArrayInputStream(content))) {
            manifest = jar.getManifest();
            if (manifest == null && jar.getNextJarEntry() == null) {
                throw new IllegalArgumentException(source + " is not a jar");
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(source + " is not a jar (" + e.getMessage() + ")");
        }
        if (manifest == null) {
            throw new IllegalArgumentException(source + " has no manifest: it is not a bundle");
        }
        Attributes main = manifest.getMainAttributes();
        String name = main.getValue("Bundle-SymbolicName");
        if (name == null) {
            throw new IllegalArgumentException(source + " has no Bundle-SymbolicName: it is not a bundle");
        }
        String bare = name.split(";", 2)[0].trim();
        if (!bare.equals(symbolicName)) {
            throw new IllegalArgumentException(source + " is bundle " + bare + ", not " + symbolicName);
        }
    }

    /** The running content of {@code bundle} (its own entries, not its fragments'), as a jar. */
    static byte[] snapshot(Bundle bundle) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            copy(bundle, MANIFEST, zip);
            Deque<String> directories = new ArrayDeque<>();
            directories.push("/");
            while (!directories.isEmpty()) {
                Enumeration<String> paths = bundle.getEntryPaths(directories.pop());
                while (paths != null && paths.hasMoreElements()) {
                    String path = paths.nextElement();
                    if (path.endsWith("/")) {
                        directories.push(path);
                    } else if (!path.equals(MANIFEST)) {
                        copy(bundle, path, zip);
                    }
                }
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the running content of " + bundle.getSymbolicName(), e);
        }
        return bytes.toByteArray();
    }

    private static void copy(Bundle bundle, String path, ZipOutputStream zip) throws IOException {
        URL entry = bundle.getEntry(path);
        if (entry == null) {
            return;
        }
        zip.putNextEntry(new ZipEntry(path));
        try (InputStream in = entry.openStream()) {
            in.transferTo(zip);
        }
        zip.closeEntry();
    }
}
