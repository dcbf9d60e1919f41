package dev.faultline.smmuv3.internal;

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
}
