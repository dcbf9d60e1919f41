package dev.faultline.faultlog;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Turns input lines into {@link LogLine}s with a few lines of look-ahead: joins quoted-printable soft breaks
 * (a short line ending in a single {@code =}), decodes the quoted-printable escapes of such lines, and strips
 * prefixes ({@link LinePrefixes}).
 */
final class LogLines {
    /** Quoted-printable lines are at most 76 characters (RFC 2045 §6.7). */
    private static final int QP_MAX_LINE = 76;
    private static final int MAX_SOFT_BREAKS = 8;

    /** Longer message text is cut: printk records are at most 1024 bytes, a wrapped report a few of them. */
    static final int MAX_TEXT = 8192;

    private final Iterator<String> input;
    private int inputLines;
    private int nonBlankInputLines;
    private final ArrayDeque<LogLine> ahead = new ArrayDeque<>();

    LogLines(Iterator<String> input) {
        this.input = input;
    }

    /** The next logical line, or {@code null} at the end. */
    @Nullable LogLine next() {
        return fill(1) ? ahead.removeFirst() : null;
    }

    /** The next logical line without taking it, or {@code null} at the end. */
    @Nullable LogLine peek() {
        return fill(1) ? ahead.peekFirst() : null;
    }

    /** Up to {@code count} next logical lines without taking them (fewer at the end). */
    List<LogLine> peek(int count) {
        fill(count);
        List<LogLine> lines = new ArrayList<>(Math.min(count, ahead.size()));
        for (LogLine l : ahead) {
            if (lines.size() == count) {
                break;
            }
            lines.add(l);
        }
        return lines;
    }

    /** Takes {@code count} lines already peeked. */
    void skip(int count) {
        for (int i = 0; i < count && !ahead.isEmpty(); i++) {
            ahead.removeFirst();
        }
    }

    /** Puts back {@code taken}, lines just taken by {@link #skip}, in their order. */
    void unread(List<LogLine> taken) {
        for (int i = taken.size() - 1; i >= 0; i--) {
            ahead.addFirst(taken.get(i));
        }
    }

    private boolean fill(int count) {
        while (ahead.size() < count && input.hasNext()) {
            ahead.addLast(read());
        }
        return ahead.size() >= count;
    }

    /** Input lines read so far that are not blank. */
    int nonBlankInputLines() {
        return nonBlankInputLines;
    }

    private LogLine read() {
        String first = take();
        int number = inputLines;
        int nonBlank = first.isBlank() ? 0 : 1;
        String quote = quotePrefix(first);
        String text = first.stripTrailing();
        // Trailing blanks count: a mail client cutting a run of blanks leaves them at the end of the line.
        int width = first.length();
        boolean encoded = false;
        for (int joins = 0; joins < MAX_SOFT_BREAKS && softBreak(text) && input.hasNext(); joins++) {
            String next = take();
            width = next.length();
            nonBlank += next.isBlank() ? 0 : 1;
            String rest = next.startsWith(quote) ? next.substring(quote.length()) : next.stripLeading();
            text = text.substring(0, text.length() - 1) + rest.stripTrailing();
            encoded = true;
        }
        if (encoded || looksQuotedPrintable(text)) {
            text = decodeEscapes(text);
        }
        if (text.length() > MAX_TEXT) {
            text = text.substring(0, MAX_TEXT);
        }
        return new LogLine(number, nonBlank, LinePrefixes.strip(text), width);
    }

    private String take() {
        String s = input.next();
        inputLines++;
        if (s == null) {
            s = "";
        }
        if (!s.isBlank()) {
            nonBlankInputLines++;
        }
        return s;
    }

    /**
     * Whether {@code line} ends in a quoted-printable soft line break. A blank before the {@code =} is allowed by
     * RFC 2045 §6.7 but is also how a mail client leaves a register dump it cut after the sign
     * ({@code FSYNR0 =} / {@code 00000021 [...]}), where a quoted-printable encoder would have written the sign as
     * {@code =3D}: such a line is a soft break only when it carries an escape of its own.
     */
    private static boolean softBreak(String line) {
        int n = line.length();
        if (n < 2 || n > QP_MAX_LINE || line.charAt(n - 1) != '=' || line.charAt(n - 2) == '=') {
            return false;
        }
        return !Character.isWhitespace(line.charAt(n - 2)) || hasEscape(line, n - 1);
    }

    /** Whether {@code line} has a {@code =XX} escape (two upper-case hex digits) before {@code end}. */
    private static boolean hasEscape(String line, int end) {
        for (int i = line.indexOf('='); i >= 0 && i + 2 < end; i = line.indexOf('=', i + 1)) {
            if (hexDigit(line.charAt(i + 1)) >= 0 && hexDigit(line.charAt(i + 2)) >= 0) {
                return true;
            }
        }
        return false;
    }


    /**
     * Every {@code =} starts a {@code =3D} escape, or a {@code =20} at the end of the line (RFC 2045 §6.7 encodes
     * a space only there), and there is at least one: {@code device=20:00.0} is text, not an escape.
     */
    private static boolean looksQuotedPrintable(String s) {
        int i = s.indexOf('=');
        if (i < 0) {
            return false;
        }
        for (; i >= 0; i = s.indexOf('=', i + 1)) {
            boolean trailingSpace = s.startsWith("=20", i) && s.substring(i).matches("(?:=20)+");
            if (!s.startsWith("=3D", i) && !trailingSpace) {
                return false;
            }
        }
        return true;
    }

    /** Decodes {@code =XX} escapes of ASCII characters; anything else stays as it is. */
    private static String decodeEscapes(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '=' && i + 2 < s.length()) {
                int hi = hexDigit(s.charAt(i + 1));
                int lo = hexDigit(s.charAt(i + 2));
                if (hi >= 0 && lo >= 0 && hi < 8) {
                    sb.append((char) (hi << 4 | lo));
                    i += 2;
                    continue;
                }
            }
            sb.append(c);
        }
        return sb.toString();
    }

    /** An upper-case hex digit's value (quoted-printable uses upper case), or -1. */
    private static int hexDigit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
    }

    /** Leading white space and {@code >} quote markers. */
    private static String quotePrefix(String line) {
        int i = 0;
        while (i < line.length() && (line.charAt(i) == '>' || line.charAt(i) == ' ' || line.charAt(i) == '\t')) {
            i++;
        }
        return line.substring(0, i);
    }
}
