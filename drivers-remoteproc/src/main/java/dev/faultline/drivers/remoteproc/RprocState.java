package dev.faultline.drivers.remoteproc;

/**
 * Where a remote processor is in its life (Linux {@code enum rproc_state}, reduced to the states a host-booted
 * processor with IOMMU goes through, plus the recovery in progress).
 */
public enum RprocState {
    /** Powered off: no firmware runs; crashes reported now are ignored ({@code RPROC_OFFLINE}). */
    OFFLINE,
    /** Firmware loaded and running ({@code RPROC_RUNNING}). */
    RUNNING,
    /** A crash was handled and the processor waits for recovery, or recovery is off ({@code RPROC_CRASHED}). */
    CRASHED,
    /** Recovery in progress: stop, coredump, firmware reload, start. */
    RECOVERY
}
