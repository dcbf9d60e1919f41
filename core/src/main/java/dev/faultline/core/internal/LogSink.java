package dev.faultline.core.internal;

/** Where the core's host log lines go: the OSGi log in a framework, a list in tests. */
interface LogSink {
    /** A sink that drops everything. */
    LogSink NONE = new LogSink() {
        @Override
        public void warn(String line) {
        }

        @Override
        public void error(String line, Throwable cause) {
        }
    };

    /** A warning about a fault or a misbehaving party. */
    void warn(String line);

    /** An error, with its cause if any ({@code null} otherwise). */
    void error(String line, Throwable cause);
}
