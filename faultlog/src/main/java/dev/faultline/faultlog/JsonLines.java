package dev.faultline.faultlog;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Writes decoded faults as JSON Lines: one object per fault, {@code format} first, then the determined
 * fields in {@link FaultField} order with the test data's conventions (hex strings {@code 0x...} in lower
 * case without leading zeros, integers, booleans, string arrays, {@code null} for an asserted "none").
 */
public final class JsonLines {

    private JsonLines() {
    }

    /** One fault as a JSON object on one line (no line terminator). */
    public static String toJson(DecodedFault fault) {
        StringBuilder sb = new StringBuilder(256);
        append(sb, fault);
        return sb.toString();
    }

    /**
     * Writes every fault of {@code log}, one line each, in log order.
     *
     * @throws IOException if {@code out} fails
     */
    public static void write(DecodedLog log, Appendable out) throws IOException {
        StringBuilder sb = new StringBuilder(256);
        for (DecodedFault f : log.faults()) {
            sb.setLength(0);
            append(sb, f);
            out.append(sb).append('\n');
        }
    }

    /** The faults of {@code log} as JSON Lines text. */
    public static String toJsonLines(DecodedLog log) {
        StringBuilder sb = new StringBuilder();
        try {
            write(log, sb);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sb.toString();
    }

    private static void append(StringBuilder sb, DecodedFault fault) {
        sb.append("{\"format\":");
        string(sb, fault.format().key());
        for (Map.Entry<FaultField, @Nullable Object> e : fault.fields().entrySet()) {
            sb.append(',');
            string(sb, e.getKey().key());
            sb.append(':');
            value(sb, e.getKey(), e.getValue());
        }
        sb.append('}');
    }

    private static void value(StringBuilder sb, FaultField field, @Nullable Object value) {
        if (value == null) {
            sb.append("null");
            return;
        }
        switch (field.kind()) {
            case HEX -> string(sb, hex((Long) value));
            case INTEGER, BOOLEAN -> sb.append(value);
            case TEXT -> string(sb, (String) value);
            case NAMES -> {
                sb.append('[');
                List<?> names = (List<?>) value;
                for (int i = 0; i < names.size(); i++) {
                    if (i > 0) {
                        sb.append(',');
                    }
                    string(sb, (String) names.get(i));
                }
                sb.append(']');
            }
        }
    }

    /** {@code 0x} and the unsigned value in lower-case hex without leading zeros. */
    static String hex(long value) {
        return "0x" + Long.toHexString(value);
    }

    /** A JSON string literal (RFC 8259 §7), escaping controls, quotes, backslashes and lone surrogates. */
    static void string(StringBuilder sb, String s) {
        sb.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029' || loneSurrogate(s, i)) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('"');
    }

    private static boolean loneSurrogate(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1));
        }
        if (Character.isLowSurrogate(c)) {
            return i == 0 || !Character.isHighSurrogate(s.charAt(i - 1));
        }
        return false;
    }
}
