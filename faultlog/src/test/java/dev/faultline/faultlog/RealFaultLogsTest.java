package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every case of the repository's real-log corpus ({@code testdata/real-fault-logs.jsonl}) decodes to the expected faults, in log order, with the expected count of ignored lines. The
 * comparison follows the test data's README: each expected key must be in the decoder's JSON output with a
 * matching value (hex strings compared as numbers, name lists as sets); keys the case leaves out are not
 * checked.
 */
class RealFaultLogsTest {
    private static final Path TESTDATA = Path.of("testdata", "real-fault-logs.jsonl");
    private static final List<String> HEX_KEYS = List.of("address", "ipa", "fetch_addr", "index", "fsr", "fsynr",
            "cbfrsynra", "domain", "flags", "ttbr0", "da");
    private static final List<String> LIST_KEYS = List.of("fsr_flags", "flag_names");

    private final LogDecoder decoder = new LogDecoder();

    static Stream<Arguments> cases() throws IOException {
        return Files.readAllLines(testData(), StandardCharsets.UTF_8).stream()
                .filter(l -> !l.isBlank())
                .map(Json::object)
                .map(c -> Arguments.of(c.get("id"), c));
    }

    /**
     * The corpus file, {@code testdata/real-fault-logs.jsonl} at the repository root (found by walking up from
     * the working directory to the directory holding {@code mvnw}). A missing file fails the tests.
     */
    static Path testData() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.exists(dir.resolve("mvnw"))) {
                Path file = dir.resolve(TESTDATA);
                if (Files.isRegularFile(file)) {
                    return file;
                }
                throw new AssertionError("real-log corpus missing: expected " + file);
            }
        }
        throw new AssertionError("no repository root (a directory with mvnw) above " + Path.of("").toAbsolutePath());
    }

    @Test
    void testDataIsPresentAndNotEmpty() throws IOException {
        assertThat(cases()).hasSizeGreaterThanOrEqualTo(67);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    @SuppressWarnings("unchecked")
    void decodesEveryExpectedFaultInLogOrder(String id, Map<String, Object> testCase) {
        DecodedLog log = decoder.decode((String) testCase.get("log"));
        List<Map<String, Object>> expected = (List<Map<String, Object>>) testCase.get("expected");
        List<Map<String, Object>> actual = JsonLines.toJsonLines(log).lines().map(Json::object).toList();

        assertThat(actual).as("%s: number of faults in%n%s", id, JsonLines.toJsonLines(log)).hasSize(expected.size());
        for (int i = 0; i < expected.size(); i++) {
            for (Map.Entry<String, Object> e : expected.get(i).entrySet()) {
                String key = e.getKey();
                assertThat(actual.get(i)).as("%s fault %d: %s", id, i, actual.get(i)).containsKey(key);
                assertThat(matches(key, e.getValue(), actual.get(i).get(key)))
                        .as("%s fault %d key %s: expected %s, decoded %s", id, i, key, e.getValue(),
                                actual.get(i).get(key))
                        .isTrue();
            }
        }
        assertThat(log.ignoredLines()).as("%s ignored lines", id)
                .isEqualTo(((Long) testCase.get("ignored_lines")).intValue());
    }

    private static boolean matches(String key, Object expected, Object actual) {
        if (expected == null || actual == null) {
            return expected == actual;
        }
        if (HEX_KEYS.contains(key)) {
            return hex(expected) == hex(actual);
        }
        if (LIST_KEYS.contains(key)) {
            return new HashSet<>((List<?>) expected).equals(new HashSet<>((List<?>) actual));
        }
        return expected.equals(actual);
    }

    private static long hex(Object value) {
        String s = (String) value;
        assertThat(s).startsWith("0x");
        return Long.parseUnsignedLong(s.substring(2), 16);
    }
}
