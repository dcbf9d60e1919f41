package dev.faultline.vtd.internal;

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
}
