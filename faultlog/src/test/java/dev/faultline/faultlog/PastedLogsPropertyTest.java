package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.testkit.property.Gens;
import dev.faultline.testkit.property.Property;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Quoting a log in mail or chat (any depth), letting a mail client wrap it, and dropping or adding its dmesg
 * timestamps does not change what it decodes to: a corpus case pasted any of these ways gives the same faults,
 * field for field, as the log itself. A failure names its seed ({@code -Dfaultline.seed=<seed>} replays it) and
 * the paste, shrunk to the simplest one that still fails.
 */
class PastedLogsPropertyTest {
    private static final int TRIES = 600;

    private final LogDecoder decoder = new LogDecoder();

    @Test
    @SuppressWarnings("unchecked")
    void aPastedLogDecodesToTheSameFaults() throws IOException {
        // A log still in quoted-printable (soft breaks: lines ending in a single '=') is the mail's source, not text a
        // person pastes: a mail client quotes and wraps the decoded text, so re-wrapping the encoded lines is no paste.
        List<Map<String, Object>> cases = RealFaultLogsTest.cases().map(a -> (Map<String, Object>) a.get()[1])
                .filter(c -> !((String) c.get("log")).matches("(?s).*[^=]=\\n.*")).toList();
        Property.tries(TRIES).cover(List.of(PastedLogs.Quote.values())).check(s -> {
            Map<String, Object> testCase = s.draw("case", Gens.elements(cases));
            PastedLogs.Quote quote = s.draw("quote", Gens.enums(PastedLogs.Quote.class));
            s.classify(quote);
            int depth = s.draw("depth", Gens.integers(1, 4));
            int wrap = s.draw("wrap", Gens.elements(PastedLogs.WRAPS));
            boolean quoteBeforeWrap = s.draw("quote before wrap", Gens.booleans());
            PastedLogs.Timestamps timestamps = s.draw("timestamps", Gens.enums(PastedLogs.Timestamps.class));
            PastedLogs.Paste paste = new PastedLogs.Paste(quote.prefix(depth), quoteBeforeWrap, wrap, timestamps);
            String log = (String) testCase.get("log");
            String pasted = PastedLogs.apply(paste, log);

            assertThat(faults(decoder.decode(pasted))).as("%s pasted (%s):%n%s", testCase.get("id"), paste, pasted)
                    .containsExactlyElementsOf(faults(decoder.decode(log)));
        });
    }

    /** Each fault's JSON without its line number, which pasting may change. */
    private static List<String> faults(DecodedLog log) {
        return log.faults().stream().map(JsonLines::toJson).toList();
    }
}
