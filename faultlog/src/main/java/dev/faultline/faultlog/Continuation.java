package dev.faultline.faultlog;

import java.util.List;
import java.util.function.Predicate;

/**
 * A report line the mailer wrapped, joined back with the lines that continue it.
 *
 * @param text the joined text (lines joined with one space)
 * @param lines how many following logical lines were joined
 * @param nonBlankInputLines how many non-blank input lines those were
 */
record Continuation(String text, int lines, int nonBlankInputLines) {

    /** A wrapped line continues on at most two more lines. */
    static final int MAX_LINES = 2;

    /**
     * Joins {@code text} with the fewest following lines (up to {@link #MAX_LINES}) that make it
     * {@code complete}, and takes those lines from {@code more}. When no join completes it, takes nothing
     * and returns {@code text} alone.
     */
    static Continuation join(String text, LogLines more, Predicate<String> complete) {
        if (complete.test(text)) {
            return new Continuation(text, 0, 0);
        }
        List<LogLine> next = more.peek(MAX_LINES);
        StringBuilder joined = new StringBuilder(text);
        int nonBlank = 0;
        for (int i = 0; i < next.size(); i++) {
            LogLine l = next.get(i);
            if (l.text().isEmpty()) {
                break;
            }
            joined.append(' ').append(l.text());
            nonBlank += l.nonBlankInputLines();
            if (complete.test(joined.toString())) {
                more.skip(i + 1);
                return new Continuation(joined.toString(), i + 1, nonBlank);
            }
        }
        return new Continuation(text, 0, 0);
    }
}
