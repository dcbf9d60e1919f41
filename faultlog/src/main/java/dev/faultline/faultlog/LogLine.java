package dev.faultline.faultlog;

/**
 * One logical log line: the kernel message text with quoting, diff, timestamp, journal and vendor
 * prefixes removed, and quoted-printable soft breaks joined.
 *
 * @param number the 1-based number of its first input line
 * @param nonBlankInputLines how many non-blank input lines it was made of (more than one after a soft break)
 * @param text the message text, stripped
 * @param width the length of its last input line as pasted (quote marks and timestamps included): a mail
 *     client wraps only lines longer than its width, so a line it cut is long
 */
record LogLine(int number, int nonBlankInputLines, String text, int width) {

    /** This line with {@code next} appended after a space: a line a mail client wrapped, joined back. */
    LogLine join(LogLine next) {
        return new LogLine(number, nonBlankInputLines + next.nonBlankInputLines, text + " " + next.text, next.width);
    }
}
