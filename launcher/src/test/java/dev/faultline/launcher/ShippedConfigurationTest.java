package dev.faultline.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.shell.internal.config.ConfigFile;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The configuration file the distribution ships reads as the launcher reads it before starting a framework. */
class ShippedConfigurationTest {

    @Test
    void theShippedConfigurationParses() {
        ConfigFile file = ConfigFile.read(Path.of("conf/faultline.conf"));

        assertThat(file.sections()).extracting(ConfigFile.Section::pid)
                .contains("dev.faultline.core", "dev.faultline.launcher.log");
    }
}
