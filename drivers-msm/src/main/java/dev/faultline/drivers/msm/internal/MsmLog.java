package dev.faultline.drivers.msm.internal;

/** Where the GPU driver's kernel-style lines go, complete and without trailing newline. */
public interface MsmLog {

    /** A {@code pr_warn} line (the fault lines of Linux adreno_fault_handler). */
    void warn(String line);

    /** A {@code DRM_DEV_ERROR} line (hang recovery). */
    void error(String line);
}
