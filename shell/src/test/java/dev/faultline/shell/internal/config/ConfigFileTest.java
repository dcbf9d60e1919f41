package dev.faultline.shell.internal.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigFileTest {

    @Test
    void readsSingletonAndFactorySectionsInOrderIgnoringCommentsAndBlanks() {
        ConfigFile file = ConfigFile.parse("f.conf", List.of(
                "# the core",
                "[dev.faultline.core]",
                "  timeout.ms = 200  ",
                "",
                "queue.depth=64",
                "[dev.faultline.gpu~gpu0]",
                "stream.ids = 1, 2"));

        assertThat(file.sections()).hasSize(2);
        ConfigFile.Section core = file.sections().get(0);
        assertThat(core.pid()).isEqualTo("dev.faultline.core");
        assertThat(core.factory()).isFalse();
        assertThat(core.line()).isEqualTo(2);
        assertThat(core.line("timeout.ms")).as("a property's own line").isEqualTo(3);
        assertThat(core.line("queue.depth")).isEqualTo(5);
        assertThat(core.line("absent")).as("the header's line for a key the section does not set").isEqualTo(2);
        assertThat(core.properties()).containsExactly(Map.entry("timeout.ms", "200"), Map.entry("queue.depth", "64"));
        ConfigFile.Section gpu = file.sections().get(1);
        assertThat(gpu.factory()).isTrue();
        assertThat(gpu.header()).isEqualTo("[dev.faultline.gpu~gpu0]");
        assertThat(gpu.properties()).containsEntry("stream.ids", "1, 2");
    }

    @Test
    void namesFileAndLineOfAMalformedLine() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConfigFile.parse("f.conf", List.of("[a]", "x = 1", "just words")))
                .withMessage("f.conf:3: expected key = value, got 'just words'");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConfigFile.parse("f.conf", List.of("x = 1")))
                .withMessage("f.conf:1: 'x = 1' comes before any [pid] section");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConfigFile.parse("f.conf", List.of("[a b]")))
                .withMessage("f.conf:1: '[a b]' is not [pid] or [factoryPid~name]");
    }

    @Test
    void rejectsAKeySetTwiceAndASectionRepeated() {
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConfigFile.parse("f.conf", List.of("[a]", "x = 1", "x = 2")))
                .withMessage("f.conf:3: x is set twice in [a] (first at line 2)");
        assertThatIllegalArgumentException()
                .isThrownBy(() -> ConfigFile.parse("f.conf", List.of("[a]", "x = 1", "[b]", "[a]")))
                .withMessage("f.conf:4: [a] already appeared at line 1");
    }
}
