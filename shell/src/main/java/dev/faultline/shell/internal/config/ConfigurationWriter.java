package dev.faultline.shell.internal.config;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Writes the sections of a {@link ConfigFile} into Config Admin. Where the PID has a metatype description,
 * every key must be one of its attributes and every value is converted to the attribute's type and validated
 * against it; without one, values are stored as strings (Declarative Services converts them to the component's
 * property types).
 *
 * <p>Checks the whole file before writing anything: a file with an error changes no configuration.
 */
public final class ConfigurationWriter {
    private final ConfigurationAdmin configurationAdmin;
    private final Function<String, Optional<ObjectClassDefinition>> metatype;

    /**
     * @param configurationAdmin where configurations are written
     * @param metatype the metatype description of a PID (or factory PID), if any bundle declares one
     */
    public ConfigurationWriter(ConfigurationAdmin configurationAdmin,
            Function<String, Optional<ObjectClassDefinition>> metatype) {
        this.configurationAdmin = configurationAdmin;
        this.metatype = metatype;
    }

    /**
     * Checks and writes every section.
     *
     * @return one line per configuration written, e.g. {@code [pid] 2 properties (typed by metatype)}
     * @throws IllegalArgumentException naming the section and key of every problem found
     * @throws IOException if Config Admin cannot store a configuration
     */
    public List<String> write(String source, ConfigFile file) throws IOException {
        List<String> problems = new ArrayList<>();
        List<Hashtable<String, Object>> typed = new ArrayList<>();
        for (ConfigFile.Section section : file.sections()) {
            typed.add(convert(source, section, problems));
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        List<String> written = new ArrayList<>();
        for (int i = 0; i < file.sections().size(); i++) {
            ConfigFile.Section section = file.sections().get(i);
            Configuration configuration = section.factory()
                    ? configurationAdmin.getFactoryConfiguration(section.pid(), section.name(), "?")
                    : configurationAdmin.getConfiguration(section.pid(), "?");
            configuration.update(typed.get(i));
            written.add(section.header() + " " + section.properties().size() + " properties"
                    + (metatype.apply(section.pid()).isPresent() ? " (typed by metatype)" : ""));
        }
        return written;
    }

    private Hashtable<String, Object> convert(String source, ConfigFile.Section section, List<String> problems) {
        Hashtable<String, Object> properties = new Hashtable<>();
        Optional<ObjectClassDefinition> ocd = metatype.apply(section.pid());
        if (ocd.isEmpty()) {
            properties.putAll(section.properties());
            return properties;
        }
        Map<String, AttributeDefinition> attributes = Arrays.stream(
                        ocd.get().getAttributeDefinitions(ObjectClassDefinition.ALL))
                .collect(Collectors.toMap(AttributeDefinition::getID, a -> a));
        for (Map.Entry<String, String> entry : section.properties().entrySet()) {
            String where = source + ":" + section.line(entry.getKey()) + ": " + section.header();
            AttributeDefinition attribute = attributes.get(entry.getKey());
            if (attribute == null) {
                problems.add(where + " has no property '" + entry.getKey() + "' (known: "
                        + attributes.keySet().stream().sorted().collect(Collectors.joining(", ")) + ")");
                continue;
            }
            String problem = attribute.validate(entry.getValue());
            if (problem != null && !problem.isEmpty()) {
                problems.add(where + " " + entry.getKey() + " = " + entry.getValue() + ": " + problem);
                continue;
            }
            try {
                properties.put(entry.getKey(), AttributeValue.convert(attribute, entry.getValue()));
            } catch (IllegalArgumentException e) {
                problems.add(where + " " + entry.getKey() + " = " + entry.getValue() + ": " + e.getMessage());
            }
        }
        return properties;
    }
}
