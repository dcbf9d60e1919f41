package dev.faultline.faultlog;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/** Reading the values of report fields strictly, and recording the ones that cannot be read. */
final class Values {
    /** A hexadecimal number of at most 64 bits, with or without {@code 0x}. */
    private static final Pattern HEX = Pattern.compile("(?:0[xX])?[0-9a-fA-F]{1,16}");
    /** Longest value quoted in a problem. */
    private static final int MAX_QUOTED = 40;

    private Values() {
    }

    /** {@code text} as a hexadecimal number of at most 64 bits ({@code 0x} optional), or {@code null}. */
    static @Nullable Long hex(@Nullable String text) {
        if (text == null || !HEX.matcher(text).matches()) {
            return null;
        }
        return Long.parseUnsignedLong(text.startsWith("0x") || text.startsWith("0X") ? text.substring(2) : text, 16);
    }

    /** The text up to the first white space, shortened for quoting. */
    static String firstToken(String text) {
        String t = text.strip();
        int end = 0;
        while (end < t.length() && !Character.isWhitespace(t.charAt(end))) {
            end++;
        }
        return quoted(t.substring(0, end));
    }

    /** {@code text} shortened for quoting in a problem. */
    static String quoted(String text) {
        return text.length() <= MAX_QUOTED ? text : text.substring(0, MAX_QUOTED) + "...";
    }

    /**
     * Records that the value after {@code key} in {@code message}, if {@code key} occurs, is not a hexadecimal
     * number and was left out.
     */
    static void unreadable(Reports out, LogLine line, FaultFormat format, String message, String key) {
        int at = message.indexOf(key);
        if (at >= 0) {
            String name = key.strip();
            notHex(out, line, format, name.endsWith(":") ? name.substring(0, name.length() - 1) : name,
                    firstToken(message.substring(at + key.length())));
        }
    }

    /** Records that {@code value}, printed for {@code key}, is not a hexadecimal number and was left out. */
    static void notHex(Reports out, LogLine line, FaultFormat format, String key, String value) {
        out.problem(line.number(), format, key + " '" + quoted(value) + "' is not hexadecimal: left out");
    }
}
