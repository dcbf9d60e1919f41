package dev.faultline.faultlog;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;

/**
 * {@code faultline decode [--json] [file|-]}: decodes a kernel log (a file, or standard input for {@code -} or
 * no argument) and prints a table of its faults, or one JSON object per fault with {@code --json}. What the
 * decoder could not read and left out ({@link DecodedLog#problems()}) is listed under the table's summary line,
 * or on standard error with {@code --json}.
 *
 * <p>Exit codes: {@value #OK} decoded (with or without faults), {@value #FAILED} the input could not be read,
 * {@value #USAGE} bad arguments.
 */
public final class DecodeCommand {
    /** Exit code: decoded. */
    public static final int OK = 0;
    /** Exit code: the input could not be read. */
    public static final int FAILED = 1;
    /** Exit code: bad arguments. */
    public static final int USAGE = 2;

    static final String USAGE_TEXT = "usage: faultline decode [--json] [file|-]";

    private final LogDecoder decoder = new LogDecoder();

    /**
     * Runs the command.
     *
     * @param args {@code [--json] [file|-]}
     * @param in standard input, read for {@code -} or no file
     * @param out where the table or JSON lines go
     * @param err where errors and usage go
     * @return the exit code
     */
    public int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        boolean json = false;
        String file = null;
        for (String a : args) {
            if (a.equals("--json")) {
                json = true;
            } else if (a.equals("-h") || a.equals("--help")) {
                out.println(USAGE_TEXT);
                return OK;
            } else if (a.startsWith("-") && !a.equals("-") || file != null) {
                err.println("decode: unexpected argument '" + a + "'");
                err.println(USAGE_TEXT);
                return USAGE;
            } else {
                file = a;
            }
        }
        DecodedLog log;
        try {
            log = LogInput.decode(decoder, file, in);
        } catch (IOException e) {
            err.println("decode: cannot read " + LogInput.describe(file, e));
            return FAILED;
        }
        out.print(json ? JsonLines.toJsonLines(log) : FaultTable.render(log));
        out.flush();
        if (json) {
            // Standard output stays one fault per line; what was left out goes to standard error.
            for (DecodeProblem p : log.problems()) {
                err.println("decode: unreadable, left out: " + p);
            }
        }
        return OK;
    }
}
