package dev.faultline.faultlog;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * What people do to a kernel log between the machine and a bug report: quoting it in mail (any depth) or chat,
 * letting a mail client wrap its long lines, and dropping or adding the dmesg timestamps. Each transformation
 * keeps every word of every kernel message.
 */
final class PastedLogs {
    /** Widths mail clients wrap at (RFC 5322 recommends 78; many wrap at 72 or 76). */
    private static final int[] WRAP_WIDTHS = {72, 76, 78};
    private static final Pattern DMESG_TIME = Pattern.compile("\\[\\s*\\d+\\.\\d+\\]\\s?");

    private PastedLogs() {
    }

    /** One way of pasting, chosen by a seed. */
    record Paste(String quote, boolean quoteBeforeWrap, int wrapWidth, Timestamps timestamps) {
        @Override
        public String toString() {
            return "quote '" + quote + "'" + (wrapWidth > 0 ? ", wrapped at " + wrapWidth
                    + (quoteBeforeWrap ? " after quoting" : " before quoting") : "") + ", timestamps " + timestamps;
        }
    }

    /** What happens to the dmesg timestamps. */
    enum Timestamps { KEPT, REMOVED, ADDED }

    /** How a paste quotes each line. */
    enum Quote {
        /** Not quoted. */
        NONE,
        /** Mail, {@code "> "} repeated. */
        MAIL,
        /** Mail without spaces, {@code ">>> "}. */
        MAIL_COMPACT,
        /** Forum or chat, {@code "| "}. */
        BAR,
        /** Chat, {@code "<nick> "}. */
        NICK,
        /** Chat, {@code "[hh:mm] <nick> "}. */
        TIMED_NICK,
        /** A mail quote of a forum quote, {@code "> | "}. */
        MAIL_OF_BAR;

        /** The prefix at {@code depth} (1 to 4; only mail quotes nest). */
        String prefix(int depth) {
            return switch (this) {
                case NONE -> "";
                case MAIL -> "> ".repeat(depth);
                case MAIL_COMPACT -> ">".repeat(depth) + " ";
                case BAR -> "| ";
                case NICK -> "<dev" + depth + "> ";
                case TIMED_NICK -> String.format("[%02d:%02d] <dev%d> ", 8 + depth, 56, depth);
                case MAIL_OF_BAR -> "> " + "| ";
            };
        }
    }

    /** Widths a paste may wrap at, 0 for none. */
    static final List<Integer> WRAPS = List.of(0, WRAP_WIDTHS[0], WRAP_WIDTHS[1], WRAP_WIDTHS[2]);

    /** {@code log} pasted as {@code paste} says. */
    static String apply(Paste paste, String log) {
        List<String> lines = new ArrayList<>();
        double time = 100.0;
        for (String line : log.split("\n", -1)) {
            String l = switch (paste.timestamps()) {
                case KEPT -> line;
                case REMOVED -> DMESG_TIME.matcher(line).replaceFirst("");
                case ADDED -> line.isBlank() || DMESG_TIME.matcher(line).find() ? line
                        : String.format("[%12.6f] %s", time += 0.000013, line);
            };
            lines.add(l);
        }
        if (paste.quoteBeforeWrap()) {
            lines = quote(paste.quote(), lines);
            lines = wrap(paste.wrapWidth(), lines);
        } else {
            lines = wrap(paste.wrapWidth(), lines);
            lines = quote(paste.quote(), lines);
        }
        return String.join("\n", lines);
    }

    private static List<String> quote(String prefix, List<String> lines) {
        return lines.stream().map(l -> prefix + l).toList();
    }

    /** Breaks lines longer than {@code width} at the last space before it, as a mail client does. */
    static List<String> wrap(int width, List<String> lines) {
        if (width == 0) {
            return lines;
        }
        List<String> out = new ArrayList<>();
        for (String line : lines) {
            String rest = line;
            while (rest.length() > width) {
                int cut = rest.lastIndexOf(' ', width);
                if (cut <= 0) {
                    break;
                }
                out.add(rest.substring(0, cut));
                rest = rest.substring(cut + 1);
            }
            out.add(rest);
        }
        return out;
    }
}
