package dev.faultline.shell.internal.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The launcher's configuration file: Config Admin configurations as sections of {@code key = value} lines.
 *
 * <pre>
 * # comment
 * [dev.faultline.core.pipeline]        a configuration, by PID
 * timeout.ms = 200
 *
 * [dev.faultline.some.factory~gpu0]    a factory configuration: factory PID, then its name
 * stream.ids = 1, 2                    (a list where the metatype says the property has several values)
 * </pre>
 *
 * Blank lines and lines starting with {@code #} are ignored; keys and values are trimmed. The launcher
 * types each value from the component's metatype when it has one.
 *
 * <p>Read twice: by the launcher, from this bundle's jar on its class path, to refuse a malformed file before a
 * framework starts; and inside the framework by the {@link ConfigureTask}, which types it and writes it.
 *
 * @param sections the configurations, in file order
 */
public record ConfigFile(List<Section> sections) {

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.\\-]+");

    public ConfigFile {
        sections = List.copyOf(sections);
    }

    /**
     * One configuration.
     *
     * @param pid the PID, or the factory PID when {@code name} is not empty
     * @param name the factory configuration's name; empty for a singleton configuration
     * @param properties the raw values by key, in file order
     * @param line the line of the section header, for messages
     * @param propertyLines the line of each property, for messages
     */
    public record Section(String pid, String name, Map<String, String> properties, int line,
            Map<String, Integer> propertyLines) {
        public Section {
            properties = Collections.unmodifiableMap(new LinkedHashMap<>(properties));
            propertyLines = Map.copyOf(propertyLines);
        }

        /** The line that sets property {@code key}; the header's line if none does. */
        public int line(String key) {
            return propertyLines.getOrDefault(key, line);
        }

        /** Whether this is a factory configuration. */
        public boolean factory() {
            return !name.isEmpty();
        }

        /** {@code [pid]} or {@code [factoryPid~name]}, as written. */
        public String header() {
            return "[" + pid + (factory() ? "~" + name : "") + "]";
        }
    }

    /**
     * Reads a file.
     *
     * @throws IllegalArgumentException naming the file and line of the first malformed line
     * @throws UncheckedIOException if the file cannot be read
     */
    public static ConfigFile read(Path file) {
        try {
            return parse(file.toString(), Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Parses lines.
     *
     * @param source the file name used in messages
     * @throws IllegalArgumentException naming {@code source} and the line of the first malformed line
     */
    public static ConfigFile parse(String source, List<String> lines) {
        List<Section> sections = new ArrayList<>();
        String pid = null;
        String name = "";
        int headerLine = 0;
        Map<String, String> properties = new LinkedHashMap<>();
        Map<String, Integer> propertyLines = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            int number = i + 1;
            String text = lines.get(i).strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            if (text.startsWith("[")) {
                if (pid != null) {
                    sections.add(new Section(pid, name, properties, headerLine, propertyLines));
                }
                if (!text.endsWith("]")) {
                    throw error(source, number, "a section header is [pid] or [factoryPid~name]");
                }
                String[] parts = text.substring(1, text.length() - 1).strip().split("~", -1);
                if (parts.length > 2 || !NAME.matcher(parts[0]).matches()
                        || (parts.length == 2 && !NAME.matcher(parts[1]).matches())) {
                    throw error(source, number, "'" + text + "' is not [pid] or [factoryPid~name]");
                }
                pid = parts[0];
                name = parts.length == 2 ? parts[1] : "";
                headerLine = number;
                properties = new LinkedHashMap<>();
                propertyLines = new LinkedHashMap<>();
                for (Section s : sections) {
                    if (s.pid().equals(pid) && s.name().equals(name)) {
                        throw error(source, number, text + " already appeared at line " + s.line());
                    }
                }
                continue;
            }
            int eq = text.indexOf('=');
            if (eq <= 0) {
                throw error(source, number, "expected key = value, got '" + text + "'");
            }
            if (pid == null) {
                throw error(source, number, "'" + text + "' comes before any [pid] section");
            }
            String key = text.substring(0, eq).strip();
            if (!NAME.matcher(key).matches()) {
                throw error(source, number, "'" + key + "' is not a property name");
            }
            if (properties.put(key, text.substring(eq + 1).strip()) != null) {
                throw error(source, number, key + " is set twice in [" + pid + "] (first at line "
                        + propertyLines.get(key) + ")");
            }
            propertyLines.put(key, number);
        }
        if (pid != null) {
            sections.add(new Section(pid, name, properties, headerLine, propertyLines));
        }
        return new ConfigFile(sections);
    }

    private static IllegalArgumentException error(String source, int line, String message) {
        return new IllegalArgumentException(source + ":" + line + ": " + message);
    }
}
