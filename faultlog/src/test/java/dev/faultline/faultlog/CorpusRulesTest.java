package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The corpus's expected values follow its README's rules, in every case: a missing key means "not determinable
 * from this log", {@code null} is an assertion of "none" and only where the README allows one, hex strings are
 * lower case without leading zeros, and the values an expert derives from a register agree with that register.
 * A new case that breaks a rule fails here, naming the case, the fault and the rule.
 */
class CorpusRulesTest {
    /** The keys whose {@code null} asserts "none" (testdata/README.md), and the formats whose logs can say so. */
    private static final Map<String, Set<String>> NULLABLE = Map.of("pasid",
            Set.of("dmar-fault", "amd-io-page-fault", "prq"), "ssid", Set.of("smmuv3-event"));
    private static final Set<String> HEX_KEYS = Set.of("address", "ipa", "fetch_addr", "index", "fsr", "fsynr",
            "cbfrsynra", "domain", "flags", "ttbr0", "da");
    private static final List<String> FSR_FLAGS = List.of("", "TF", "AFF", "PF", "EF", "TLBMCF", "TLBLKF", "ASF",
            "UUT");
    private static final List<String> AMD_FLAGS = List.of("GN", "NX", "US", "I", "PR", "RW", "PE", "RZ", "TR");

    @Test
    @SuppressWarnings("unchecked")
    void everyExpectedValueFollowsTheCorpusRules() throws IOException {
        List<String> broken = new ArrayList<>();
        for (String line : Files.readAllLines(RealFaultLogsTest.testData(), StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            Map<String, Object> c = Json.object(line);
            String log = (String) c.get("log");
            List<Map<String, Object>> expected = (List<Map<String, Object>>) c.get("expected");
            for (int i = 0; i < expected.size(); i++) {
                String where = c.get("id") + " fault " + i + ": ";
                for (String rule : rulesBroken(expected.get(i), log)) {
                    broken.add(where + rule);
                }
            }
        }
        assertThat(broken).as("rules of testdata/README.md broken").isEmpty();
    }

    private static List<String> rulesBroken(Map<String, Object> e, String log) {
        List<String> broken = new ArrayList<>();
        e.forEach((key, value) -> {
            if (value == null && !NULLABLE.getOrDefault(key, Set.of()).contains((String) e.get("format"))) {
                broken.add(key + " is null, but a " + e.get("format") + " log cannot assert that it has none");
            }
            if (value != null && HEX_KEYS.contains(key) && !((String) value).matches("0x(0|[1-9a-f][0-9a-f]*)")) {
                broken.add(key + " " + value + " is not lower-case hex without leading zeros");
            }
        });
        switch ((String) e.get("format")) {
            case "smmu-context-fault" -> {
                long fsr = hex(e.get("fsr"));
                long fsynr = hex(e.get("fsynr"));
                expect(broken, e.get("stall"), (fsr >>> 30 & 1) == 1, "stall is FSR.SS (bit 30)");
                expect(broken, e.get("write"), (fsynr >>> 4 & 1) == 1, "write is FSYNR0.WNR (bit 4)");
                expect(broken, e.get("read"), (fsynr >>> 4 & 1) == 0, "read is not FSYNR0.WNR");
                expect(broken, e.get("priv"), (fsynr >>> 5 & 1) == 1, "priv is FSYNR0.PNU (bit 5)");
                expect(broken, e.get("exec"), (fsynr >>> 6 & 1) == 1, "exec is FSYNR0.IND (bit 6)");
                expect(broken, Set.copyOf((List<?>) e.get("fsr_flags")), Set.copyOf(flags(fsr, FSR_FLAGS, 30)),
                        "fsr_flags are the FSR bits set");
                if (e.containsKey("cbfrsynra")) {
                    expect(broken, e.get("sid"), hex(e.get("cbfrsynra")) & 0xffff, "sid is cbfrsynra & 0xffff");
                }
            }
            case "amd-io-page-fault" -> {
                long flags = hex(e.get("flags"));
                expect(broken, e.get("flag_names"), flags(flags, AMD_FLAGS, -1), "flag_names are the flags set");
                if ((flags & 1) == 0) {
                    expect(broken, e.containsKey("pasid") ? e.get("pasid") : "absent", null,
                            "with GN = 0 the log asserts no PASID: pasid is null");
                }
                if ((flags >>> 3 & 1) == 1 && (e.containsKey("read") || e.containsKey("write"))) {
                    broken.add("read/write given with I = 1 (the RW flag means nothing then)");
                }
            }
            case "dmar-fault" -> {
                boolean printsPasid = log.contains("NO_PASID") || log.matches("(?s).*PASID (0x)?[0-9a-f]+.*");
                if (e.containsKey("pasid") != printsPasid) {
                    broken.add(e.containsKey("pasid") ? "pasid given, but the log prints no PASID field"
                            : "pasid absent, but the log prints the PASID field");
                }
                if (e.containsKey("pasid") && e.get("pasid") == null && !log.contains("NO_PASID")
                        && !log.contains("PASID ffffffff")) {
                    broken.add("pasid null, but the log never says NO_PASID or PASID ffffffff");
                }
            }
            default -> {
                // the other formats' keys are read as printed
            }
        }
        return broken;
    }

    private static List<String> flags(long value, List<String> names, int extraBit) {
        List<String> set = new ArrayList<>();
        for (int bit = 0; bit < names.size(); bit++) {
            if (!names.get(bit).isEmpty() && (value >>> bit & 1) == 1) {
                set.add(names.get(bit));
            }
        }
        if (extraBit >= 0) {
            if ((value >>> extraBit & 1) == 1) {
                set.add("SS");
            }
            if ((value >>> 31 & 1) == 1) {
                set.add("MULTI");
            }
        }
        return set;
    }

    private static void expect(List<String> broken, Object actual, Object wanted, String rule) {
        Object a = actual instanceof Long l && wanted instanceof Long ? l : actual;
        if (a == null ? wanted != null : !a.equals(wanted)) {
            broken.add(rule + ": expected " + wanted + ", the case says " + actual);
        }
    }

    private static long hex(Object value) {
        return Long.parseUnsignedLong(((String) value).substring(2), 16);
    }
}
