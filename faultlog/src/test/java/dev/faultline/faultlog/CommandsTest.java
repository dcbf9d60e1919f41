package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PlatformDeviceName;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The {@code decode} and {@code replay} command entry points: arguments, input, output and exit codes. */
class CommandsTest {
    private static final String LOG = String.join("\n",
            "[  130.837807] arm-smmu-v3 1000000.smmu: event 0x10 received:",
            "[  130.845314] arm-smmu-v3 1000000.smmu:        0x0000000100002810",
            "[  130.852634] arm-smmu-v3 1000000.smmu:        0x0000020880000b17",
            "[  130.859927] arm-smmu-v3 1000000.smmu:        0x00000009f44a0300",
            "[  130.867203] arm-smmu-v3 1000000.smmu:        0x0000000000000000",
            "[  130.900000] nvme nvme0: I/O 12 QID 3 timeout, aborting", "");

    @TempDir
    Path dir;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int decode(InputStream in, String... args) {
        return new DecodeCommand().run(args, in, print(out), print(err));
    }

    private int replay(FakePipeline pipeline, String... args) {
        return new ReplayCommand(pipeline).run(args, stdin(""), print(out), print(err));
    }

    private static PrintStream print(ByteArrayOutputStream bytes) {
        return new PrintStream(bytes, true, StandardCharsets.UTF_8);
    }

    private static InputStream stdin(String text) {
        return new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8));
    }

    private String out() {
        return out.toString(StandardCharsets.UTF_8);
    }

    private String err() {
        return err.toString(StandardCharsets.UTF_8);
    }

    private Path logFile() throws IOException {
        return Files.writeString(dir.resolve("dmesg.txt"), LOG);
    }

    @Test
    void decodePrintsATableOfStandardInput() {
        assertThat(decode(stdin(LOG))).isEqualTo(DecodeCommand.OK);
        assertThat(out()).contains("smmuv3-event", "1000000.smmu", "sid 0x1 ssid 0x2", "0x9f44a0300",
                "F_TRANSLATION (0x10) s1 IN stall stag 0xb17", "1 fault in 6 lines, 1 line not recognised");
        assertThat(err()).isEmpty();
    }

    @Test
    void decodeWritesJsonLinesOfAFileOrOfDash() throws IOException {
        assertThat(decode(stdin(""), "--json", logFile().toString())).isEqualTo(DecodeCommand.OK);
        String fromFile = out();
        assertThat(fromFile.lines()).singleElement().satisfies(l -> assertThat(Json.object(l))
                .containsEntry("stag", 2839L).containsEntry("address", "0x9f44a0300"));
        out.reset();
        assertThat(decode(stdin(LOG), "-", "--json")).isEqualTo(DecodeCommand.OK);
        assertThat(out()).isEqualTo(fromFile);
    }

    @Test
    void decodeToleratesBytesThatAreNotUtf8() throws IOException {
        byte[] latin1 = ("caf\u00e9\n" + LOG).getBytes(StandardCharsets.ISO_8859_1);
        Path file = Files.write(dir.resolve("latin1.txt"), latin1);
        assertThat(decode(stdin(""), "--json", file.toString())).isEqualTo(DecodeCommand.OK);
        assertThat(out().lines()).hasSize(1);
    }

    @Test
    void decodeFailsClearlyOnAMissingFileAndBadArguments() {
        assertThat(decode(stdin(""), dir.resolve("nope.log").toString())).isEqualTo(DecodeCommand.FAILED);
        assertThat(err()).contains("nope.log: no such file");
        err.reset();
        assertThat(decode(stdin(""), "--xml")).isEqualTo(DecodeCommand.USAGE);
        assertThat(err()).contains("unexpected argument '--xml'", "usage: faultline decode");
        err.reset();
        assertThat(decode(stdin(""), "a.log", "b.log")).isEqualTo(DecodeCommand.USAGE);
        assertThat(decode(stdin(""), "--help")).isEqualTo(DecodeCommand.OK);
        assertThat(out()).startsWith("usage: faultline decode");
    }

    @Test
    void replayReportsWhatThePipelineDid() throws IOException {
        FakePipeline pipeline = new FakePipeline();
        assertThat(replay(pipeline, logFile().toString())).isEqualTo(ReplayCommand.OK);
        assertThat(out()).contains("faults decoded:   1", "faults replayed:  1", "NO_HANDLER=1", "INVALID=1",
                "(1 owed)");
        assertThat(pipeline.reported).hasSize(1);
    }

    @Test
    void replayAttachesEveryDeviceToTheNamedDomain() throws IOException {
        FakePipeline pipeline = new FakePipeline();
        assertThat(replay(pipeline, "--attach", "gpu0", "--domain-type", "unmanaged", "--timeout", "5",
                logFile().toString())).isEqualTo(ReplayCommand.OK);
        assertThat(pipeline.attachments.get(new PlatformDeviceName("replay/1000000.smmu/sid:0x1")))
                .containsValue(Domain.unmanaged("gpu0"));
    }

    @Test
    void replayFailsWhenThePipelineLosesAGroup() throws IOException {
        assertThat(replay(new FakePipeline.GroupLosingPipeline(), "--timeout", "0", logFile().toString()))
                .isEqualTo(ReplayCommand.FAILED);
        assertThat(out()).contains("UNANSWERED:       1");
    }

    @Test
    void replayRejectsBadArguments() throws IOException {
        assertThat(replay(new FakePipeline())).isEqualTo(ReplayCommand.USAGE);
        assertThat(err()).contains("which log?");
        assertThat(replay(new FakePipeline(), "--timeout", "soon", logFile().toString())).isEqualTo(ReplayCommand.USAGE);
        assertThat(replay(new FakePipeline(), "--attach")).isEqualTo(ReplayCommand.USAGE);
        assertThat(replay(new FakePipeline(), "--attach", "x", "--domain-type", "nested", "f")).isEqualTo(
                ReplayCommand.USAGE);
        assertThat(err()).contains("--attach needs a value", "--domain-type is dma, unmanaged or sva");
        assertThat(replay(new FakePipeline(), dir.resolve("nope").toString())).isEqualTo(ReplayCommand.FAILED);
    }
}
