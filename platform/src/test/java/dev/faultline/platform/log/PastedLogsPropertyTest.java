package dev.faultline.platform.log;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Quoting a log in mail or chat (any depth), letting a mail client wrap it, and dropping or adding its dmesg
 * timestamps does not change what it decodes to: every case of the real-log corpus, pasted in
 * {@value #PASTES_PER_CASE} seeded ways, gives the same faults with the same fields as the log itself. A failure
 * names the seed and the paste; {@code -Dpasted.seed=<seed>} runs that one again.
 */
class PastedLogsPropertyTest {
    static final int PASTES_PER_CASE = 12;
    private static final long BASE_SEED = 0x5eed_1096L;

    private final LogDecoder decoder = new LogDecoder();

    static Stream<Arguments> pastes() throws IOException {
        List<Arguments> cases = RealFaultLogsTest.cases().toList();
        String only = System.getProperty("pasted.seed");
        if (only != null) {
            long seed = Long.decode(only);
            return cases.stream().map(c -> Arguments.of(c.get()[0], c.get()[1], seed));
        }
        return cases.stream().flatMap(c -> Stream.iterate(0, i -> i + 1).limit(PASTES_PER_CASE)
                .map(i -> Arguments.of(c.get()[0], c.get()[1], BASE_SEED + 7919L * i + c.get()[0].hashCode())));
    }

    @ParameterizedTest(name = "{0} seed {2}")
    @MethodSource("pastes")
    void aPastedLogDecodesToTheSameFaults(String id, Map<String, Object> testCase, long seed) {
        String log = (String) testCase.get("log");
        PastedLogs.Paste paste = PastedLogs.paste(new Random(seed));
        String pasted = PastedLogs.apply(paste, log);

        List<String> original = faults(decoder.decode(log));
        List<String> decoded = faults(decoder.decode(pasted));

        assertThat(decoded).as("%s pasted with seed %d (%s):%n%s", id, seed, paste, pasted)
                .containsExactlyElementsOf(original);
    }

    /** Each fault's JSON without its line number, which pasting may change. */
    private static List<String> faults(DecodedLog log) {
        return log.faults().stream().map(JsonLines::toJson).toList();
    }
}
