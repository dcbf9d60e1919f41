package dev.faultline.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CommandLineTest {

    @Test
    void opensTheShellWhenNoCommandIsGiven() {
        assertThat(CommandLine.parse()).isEqualTo(new CommandLine("shell", List.of(), Optional.empty()));
    }

    @Test
    void keepsTheCommandsOwnOptionsForTheCommand() {
        CommandLine line = CommandLine.parse("--config", "c.conf", "decode", "--json", "kern.log");

        assertThat(line.command()).isEqualTo("decode");
        assertThat(line.arguments()).containsExactly("--json", "kern.log");
        assertThat(line.config()).contains(Path.of("c.conf"));
        assertThat(line.isTask()).isTrue();
    }

    @Test
    void readsTheDeployDirectoryAndAStorageToKeepDefaultingToDeployAndATemporaryOne() {
        CommandLine line = CommandLine.parse("--storage", "state", "--deploy", "/srv/bundles", "demo");

        assertThat(line.deploy()).isEqualTo(Path.of("/srv/bundles"));
        assertThat(line.storage()).contains(Path.of("state"));
        assertThat(line.command()).isEqualTo("demo");
        assertThat(CommandLine.parse().deploy()).isEqualTo(Path.of("deploy"));
        assertThat(CommandLine.parse().storage()).isEmpty();
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLine.parse("--storage"))
                .withMessage("--storage needs a directory");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLine.parse("--deploy", "", "demo"))
                .withMessage("--deploy needs a directory");
    }

    @Test
    void readsHelpFromEitherForm() {
        assertThat(CommandLine.parse("--help").command()).isEqualTo("help");
        assertThat(CommandLine.parse("help").command()).isEqualTo("help");
        assertThat(CommandLine.parse("-h").isTask()).isFalse();
    }

    @Test
    void rejectsUnknownCommandsAndOptionsByName() {
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLine.parse("demoo"))
                .withMessage("unknown command 'demoo'");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLine.parse("--verbose", "demo"))
                .withMessage("unknown option --verbose");
        assertThatIllegalArgumentException().isThrownBy(() -> CommandLine.parse("--config"))
                .withMessage("--config needs a file");
    }
}
