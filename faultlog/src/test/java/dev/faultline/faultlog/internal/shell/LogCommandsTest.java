package dev.faultline.faultlog.internal.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.faultlog.DecodedLog;
import dev.faultline.faultlog.FakePipeline;
import dev.faultline.faultlog.ReplayReport;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Gogo commands return data: the decoded log, JSON Lines text, the replay report. */
class LogCommandsTest {
    private static final String LOG = "DMAR: [DMA Read NO_PASID] Request device [00:0d.0] fault addr 0x1154e1000"
            + " [fault reason 0x5a] SM: Non-zero reserved field set in PASID Table Entry\n";

    @TempDir
    Path dir;

    private final LogCommands commands = new LogCommands();

    {
        commands.drivers = new MachineDrivers();
    }

    private String file() throws IOException {
        return Files.writeString(dir.resolve("log"), LOG).toString();
    }

    @Test
    void decodeReturnsTheLogWhichPrintsAsATable() throws IOException {
        DecodedLog log = (DecodedLog) commands.decode(file());
        assertThat(log.faults()).hasSize(1);
        assertThat(log.toString()).contains("dmar-fault", "00:0d.0", "[0x5a]");
    }

    @Test
    void decodeWithJsonReturnsJsonLines() throws IOException {
        assertThat(commands.decode("--json", file())).asString().startsWith("{\"format\":\"dmar-fault\",")
                .contains("\"reason_code\":90");
    }

    @Test
    void replayNeedsTheCore() throws IOException {
        String file = file();
        assertThatThrownBy(() -> commands.replay(file)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("core is not running");
        commands.pipeline = new FakePipeline();
        ReplayReport report = commands.replay("--attach", "host", file).replay();
        assertThat(report.replayed()).isEqualTo(1);
        assertThat(report.clean()).isTrue();
    }

    @Test
    void aMissingFileIsAnIoError() {
        assertThatThrownBy(() -> commands.decode(dir.resolve("missing").toString())).isInstanceOf(IOException.class);
    }

    @Test
    void wrongArgumentsGiveTheCommandsUsage() throws IOException {
        String file = file();
        assertThatThrownBy(() -> commands.decode()).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("missing <file>\nusage: faultline:decode [--json] <file>");
        assertThatThrownBy(() -> commands.decode("--jsn", file)).hasMessage(
                "unknown option --jsn\nusage: faultline:decode [--json] <file>");
        assertThatThrownBy(() -> commands.decode(file, file)).hasMessageStartingWith("too many arguments: ");
        commands.pipeline = new FakePipeline();
        assertThatThrownBy(() -> commands.replay("--attach")).hasMessage(
                "--attach needs a <domain>\nusage: " + LogCommands.REPLAY);
        assertThatThrownBy(() -> commands.replay("--attach", "host")).hasMessage(
                "missing <file>\nusage: " + LogCommands.REPLAY);
        assertThat(commands.replay(file, "--attach", "host").replay().replayed()).isEqualTo(1);
        assertThatThrownBy(() -> commands.replay("--map", "sid:0x1", file)).hasMessageStartingWith(
                "map entry 'sid:0x1' is not <log device>=<machine device>\nusage: ");
        assertThatThrownBy(() -> commands.replay("--map", "00:0d.0=0000:00:0d.0", file))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("needs the simulated machine");
    }
}
