package dev.faultline.vtd.internal;

import java.util.function.Consumer;

/**
 * Where the backend's log lines go: the OSGi log service in the framework, a list in tests. Lines are final
 * text (the kernel's formats where the backend reproduces one).
 */
public interface LogSink {

    /** A {@code pr_err} line. */
    void error(String line);

    /** A {@code pr_warn} line (Linux prints "callbacks suppressed" at warning level). */
    void warn(String line);

    /** A {@code pr_info} line. */
    void info(String line);

    /**
     * A sink passing each level's lines to its consumer: the OSGi log's {@code logger::error}, {@code logger::warn},
     * {@code logger::info} in the framework; a standalone user's consumers outside it.
     */
    static LogSink of(Consumer<String> error, Consumer<String> warn, Consumer<String> info) {
        return new Lines(error, warn, info);
    }

    /** A sink of three consumers. */
    record Lines(Consumer<String> error, Consumer<String> warn, Consumer<String> info) implements LogSink {
        @Override
        public void error(String line) {
            error.accept(line);
        }

        @Override
        public void warn(String line) {
            warn.accept(line);
        }

        @Override
        public void info(String line) {
            info.accept(line);
        }
    }
}
