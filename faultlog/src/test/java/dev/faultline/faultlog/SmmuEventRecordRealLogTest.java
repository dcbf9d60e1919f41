package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.smmuv3.EventRecord;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Decodes the raw dwords of the real SMMUv3 event records in {@code testdata/real-fault-logs.jsonl} and
 * checks every field the file's expert decode gives.
 */
class SmmuEventRecordRealLogTest {
    private static final Pattern HEADER = Pattern.compile("event 0x([0-9a-f]{2}) received:");
    private static final Pattern DWORD = Pattern.compile(":\\s+0x([0-9a-f ]{16,17})\\s*$");

    @SuppressWarnings("unchecked")
    static Stream<Map<String, Object>> smmuCases() throws IOException {
        List<Map<String, Object>> cases = new ArrayList<>();
        for (String line : Files.readAllLines(RealFaultLogsTest.testData())) {
            if (!line.isBlank()) {
                Map<String, Object> c = (Map<String, Object>) Json.parse(line);
                if ("smmuv3-event".equals(c.get("format"))) {
                    cases.add(c);
                }
            }
        }
        assertThat(cases).hasSizeGreaterThanOrEqualTo(8);
        return cases.stream();
    }

    /** The records of a log: each header followed by its dword lines (four, or fewer where the log cuts it short). */
    static List<long[]> records(String log) {
        List<long[]> out = new ArrayList<>();
        String[] lines = log.split("\n");
        for (int i = 0; i < lines.length; i++) {
            Matcher h = HEADER.matcher(lines[i]);
            if (!h.find()) {
                continue;
            }
            long[] dw = new long[4];
            int found = 0;
            for (int j = i + 1; j < lines.length && found < 4; j++) {
                Matcher d = DWORD.matcher(lines[j]);
                if (d.find()) {
                    dw[found++] = Long.parseUnsignedLong(d.group(1).replace(" ", ""), 16);
                }
            }
            assertThat(found).as("dwords after header %d", i).isPositive();
            assertThat(EventRecord.id(dw[0])).isEqualTo(Integer.parseInt(h.group(1), 16));
            out.add(Arrays.copyOf(dw, found));
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{index} {0}")
    @MethodSource("smmuCases")
    void rawDwordsDecodeToTheExpectedFields(Map<String, Object> c) {
        List<Map<String, Object>> expected = (List<Map<String, Object>>) c.get("expected");
        List<long[]> records = records((String) c.get("log"));
        assertThat(records).as((String) c.get("id")).hasSameSizeAs(expected);
        for (int n = 0; n < records.size(); n++) {
            long[] dwords = records.get(n);
            EventRecord e = EventRecord.decode(Arrays.copyOf(dwords, 4));
            Map<String, Object> x = expected.get(n);
            String at = c.get("id") + "#" + n;
            check(x, "event_id", (long) e.id(), at);
            check(x, "event", e.eventId().specName(), at);
            check(x, "sid", e.sid() & 0xffff_ffffL, at);
            check(x, "ssid", e.ssv() ? (Object) (long) e.ssid() : null, at);
            if (dwords.length < 4) {
                // A record the log cuts short: only dword 0's fields are determinable, and expected has no others.
                assertThat(x).as(at).containsOnlyKeys("format", "device", "event_id", "event", "sid", "ssid");
                continue;
            }
            check(x, "stag", (long) e.stag(), at);
            check(x, "stall", e.stall(), at);
            check(x, "priv", e.privileged(), at);
            check(x, "exec", e.instruction(), at);
            check(x, "read", e.read(), at);
            check(x, "write", !e.read(), at);
            check(x, "stage", e.s2() ? "s2" : "s1", at);
            check(x, "class", e.classShortName(), at);
            checkHex(x, "address", e.inputAddress(), at);
            checkHex(x, "ipa", e.ipa(), at);
            checkHex(x, "fetch_addr", e.fetchAddress(), at);
        }
    }

    private static void check(Map<String, Object> x, String key, Object actual, String at) {
        if (x.containsKey(key)) {
            assertThat(actual).as(at + " " + key).isEqualTo(x.get(key));
        }
    }

    private static void checkHex(Map<String, Object> x, String key, long actual, String at) {
        if (x.containsKey(key)) {
            assertThat(actual).as(at + " " + key)
                    .isEqualTo(Long.parseUnsignedLong(((String) x.get(key)).substring(2), 16));
        }
    }
}
