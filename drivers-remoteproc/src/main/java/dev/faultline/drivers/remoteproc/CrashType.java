package dev.faultline.drivers.remoteproc;

/** Why a remote processor crashed (Linux {@code enum rproc_crash_type}), with the name Linux prints. */
public enum CrashType {
    /** {@code RPROC_MMUFAULT}: its IOMMU reported a fault. */
    MMUFAULT("mmufault"),
    /** {@code RPROC_WATCHDOG}: its watchdog expired. */
    WATCHDOG("watchdog"),
    /** {@code RPROC_FATAL_ERROR}: the firmware reported a fatal error (here: it hit an undefined instruction). */
    FATAL_ERROR("fatal error");

    private final String label;

    CrashType(String label) {
        this.label = label;
    }

    /** The name in {@code crash detected in %s: type %s} ({@code rproc_crash_to_string}). */
    public String label() {
        return label;
    }
}
