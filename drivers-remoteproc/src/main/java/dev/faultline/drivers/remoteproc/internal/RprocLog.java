package dev.faultline.drivers.remoteproc.internal;

/**
 * Where a remote processor's kernel-style lines go (Linux rproc_report_crash): {@code dev_err} and {@code dev_info}.
 * Each line is complete, device prefix included, without trailing newline.
 */
public interface RprocLog {

    /** A {@code dev_err} line. */
    void error(String line);

    /** A {@code dev_info} line. */
    void info(String line);
}
