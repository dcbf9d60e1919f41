package dev.faultline.platform.log;

/**
 * One logical log line: the kernel message text with quoting, diff, timestamp, journal and vendor
 * prefixes removed, and quoted-printable soft breaks joined.
 *
 * @param number the 1-based number of its first input line
 * @param nonBlankInputLines how many non-blank input lines it was made of (more than one after a soft break)
 * @param text the message text, stripped
 */
record LogLine(int number, int nonBlankInputLines, String text) {
}
