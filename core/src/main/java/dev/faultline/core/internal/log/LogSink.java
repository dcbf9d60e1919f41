package dev.faultline.core.internal.log;

import java.util.function.Consumer;

/** Where the core's host log lines go: the OSGi log in a framework, a list in tests. */
public interface LogSink {
    /** A sink that drops everything. */
    LogSink NONE = new LogSink() {
        @Override
        public void warn(String line) {
        }

        @Override
        public void error(String line, Throwable cause) {
        }
    };

    /** A sink that hands every line to {@code log}, an error's cause appended to its line. */
    static LogSink lines(Consumer<String> log) {
        return new LogSink() {
            @Override
            public void warn(String line) {
                log.accept(line);
            }

            @Override
            public void error(String line, Throwable cause) {
                log.accept(cause == null ? line : line + ": " + cause);
            }
        };
    }

    /** A warning about a fault or a misbehaving party. */
    void warn(String line);

    /** An error, with its cause if any ({@code null} otherwise). */
    void error(String line, Throwable cause);
}
