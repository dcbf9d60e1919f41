package dev.faultline.shell.console;

import java.io.PrintStream;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.service.component.annotations.Component;

/**
 * The distribution's console: a status line (the demo's progress) kept at the bottom of a terminal and rewritten in
 * place, with log lines printed above it, so that neither runs into the other. When standard output is not a
 * terminal, each status is a line of its own and log lines are printed as they come.
 */
@ProviderType
@Component(service = StatusLine.class)
public final class StatusLine {
    /** Carriage return and ANSI "erase to end of line". */
    private static final String ERASE = "\r\033[K";

    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private String status = "";

    /** The component: standard output and error, a terminal when the JVM has a console. */
    public StatusLine() {
        this(System.out, System.err, System.console() != null);
    }

    StatusLine(PrintStream out, PrintStream err, boolean terminal) {
        this.out = out;
        this.err = err;
        this.terminal = terminal;
    }

    /** Shows {@code line} as the status, replacing the one shown (a new line when not on a terminal). */
    public synchronized void show(String line) {
        if (!terminal) {
            out.println(line);
            out.flush();
            return;
        }
        status = line;
        out.print(ERASE + line);
        out.flush();
    }

    /** Removes the status line, leaving the cursor at the start of an empty line. */
    public synchronized void clear() {
        if (terminal && !status.isEmpty()) {
            out.print(ERASE);
            out.flush();
        }
        status = "";
    }

    /** Prints a log line to standard error, above the status line, which is shown again after it. */
    public synchronized void log(String line) {
        boolean shown = terminal && !status.isEmpty();
        if (shown) {
            out.print(ERASE);
            out.flush();
        }
        err.println(line);
        err.flush();
        if (shown) {
            out.print(status);
            out.flush();
        }
    }
}
