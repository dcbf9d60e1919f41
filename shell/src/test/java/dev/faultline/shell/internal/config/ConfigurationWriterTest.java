package dev.faultline.shell.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import dev.faultline.shell.internal.config.ConfigFile;
import java.io.InputStream;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.mockito.ArgumentCaptor;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

class ConfigurationWriterTest {
    private static final String CORE = "dev.faultline.core";

    private final ConfigurationAdmin admin = mock(ConfigurationAdmin.class);
    private final Configuration configuration = mock(Configuration.class);
    private final Map<String, ObjectClassDefinition> metatype = Map.of(CORE, new Ocd(List.of(
            new Ad("timeout.ms", AttributeDefinition.LONG, 0),
            new Ad("rate.limit", AttributeDefinition.INTEGER, 0),
            new Ad("quarantine", AttributeDefinition.BOOLEAN, 0),
            new Ad("devices", AttributeDefinition.STRING, 10))));
    private final ConfigurationWriter writer = new ConfigurationWriter(admin,
            pid -> Optional.ofNullable(metatype.get(pid)));

    @Test
    void typesValuesByTheMetatypeAndSplitsListAttributes() throws Exception {
        when(admin.getConfiguration(CORE, "?")).thenReturn(configuration);

        List<String> written = writer.write("f.conf", file("[" + CORE + "]", "timeout.ms = 250", "rate.limit = 10",
                "quarantine = true", "devices = 00:03.0, sid:0x42"));

        Dictionary<String, Object> properties = captured();
        assertThat(properties.get("timeout.ms")).isEqualTo(250L);
        assertThat(properties.get("rate.limit")).isEqualTo(10);
        assertThat(properties.get("quarantine")).isEqualTo(true);
        assertThat((String[]) properties.get("devices")).containsExactly("00:03.0", "sid:0x42");
        assertThat(written).containsExactly("[" + CORE + "] 4 properties (typed by metatype)");
    }

    @Test
    void writesStringsWhereNoMetatypeDescribesThePid() throws Exception {
        when(admin.getFactoryConfiguration("dev.faultline.gpu", "gpu0", "?")).thenReturn(configuration);

        writer.write("f.conf", file("[dev.faultline.gpu~gpu0]", "contexts = 4"));

        assertThat(captured().get("contexts")).isEqualTo("4");
    }

    @Test
    void reportsEveryProblemWithThePropertysLineAndWritesNothing() throws Exception {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> writer.write("f.conf", file("[" + CORE + "]", "timeout.ms = soon", "rate.limt = 1")))
                .withMessageContaining("f.conf:2: [dev.faultline.core] timeout.ms = soon:")
                .withMessageContaining("f.conf:3: [dev.faultline.core] has no property 'rate.limt' (known: devices,"
                        + " quarantine, rate.limit, timeout.ms)");
        verify(admin, never()).getConfiguration(any(), any());
    }

    @Test
    void rejectsAWordThatIsNotABoolean() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> writer.write("f.conf", file("[" + CORE + "]", "quarantine = yes")))
                .withMessageContaining("'yes' is not true or false");
    }

    private Dictionary<String, Object> captured() throws Exception {
        @SuppressWarnings("unchecked")
        ArgumentCaptor<Dictionary<String, Object>> captor = ArgumentCaptor.forClass(Dictionary.class);
        verify(configuration).update(captor.capture());
        return captor.getValue();
    }

    private static ConfigFile file(String... lines) {
        return ConfigFile.parse("f.conf", List.of(lines));
    }

    /** An object class definition over a list of attributes. */
    private record Ocd(List<AttributeDefinition> attributes) implements ObjectClassDefinition {
        @Override
        public String getName() {
            return "test";
        }

        @Override
        public String getID() {
            return CORE;
        }

        @Override
        public String getDescription() {
            return "";
        }

        @Override
        public AttributeDefinition[] getAttributeDefinitions(int filter) {
            return attributes.toArray(AttributeDefinition[]::new);
        }

        @Override
        public InputStream getIcon(int size) {
            return null;
        }
    }

    /** An attribute that validates as Felix's metatype does for numbers: by parsing. */
    private record Ad(String id, int type, int cardinality) implements AttributeDefinition {
        @Override
        public String getName() {
            return id;
        }

        @Override
        public String getID() {
            return id;
        }

        @Override
        public String getDescription() {
            return "";
        }

        @Override
        public int getCardinality() {
            return cardinality;
        }

        @Override
        public int getType() {
            return type;
        }

        @Override
        public String[] getOptionValues() {
            return null;
        }

        @Override
        public String[] getOptionLabels() {
            return null;
        }

        @Override
        public String validate(String value) {
            if (type == LONG) {
                try {
                    Long.parseLong(value);
                } catch (NumberFormatException e) {
                    return "not a long";
                }
            }
            return "";
        }

        @Override
        public String[] getDefaultValue() {
            return null;
        }
    }
}
