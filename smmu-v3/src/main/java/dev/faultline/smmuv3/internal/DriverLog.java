package dev.faultline.smmuv3.internal;

import java.util.function.Consumer;

/**
 * Where the driver's host log lines go: the OSGi log in a framework, a recorder in tests. Lines are the
 * kernel's text, already prefixed with {@code arm-smmu-v3 <smmu>: }.
 */
public interface DriverLog {

    /** A {@code dev_err} line. */
    void error(String line);

    /** A {@code dev_warn} line. */
    void warn(String line);

    /** A {@code dev_info} line. */
    void info(String line);

    /**
     * A sink passing each level's lines to its consumer: the OSGi log's {@code logger::error}, {@code logger::warn},
     * {@code logger::info} in the framework; a standalone user's consumers outside it.
     */
    static DriverLog of(Consumer<String> error, Consumer<String> warn, Consumer<String> info) {
        return new Lines(error, warn, info);
    }

    /** A sink of three consumers. */
    record Lines(Consumer<String> error, Consumer<String> warn, Consumer<String> info) implements DriverLog {
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
