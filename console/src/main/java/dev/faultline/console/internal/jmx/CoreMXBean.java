package dev.faultline.console.internal.jmx;

/** {@code dev.faultline:type=Core}: the core's totals. */
public interface CoreMXBean extends CountsMXBean, LatencyMXBean {
    /** Devices the core lists (present and recently removed). */
    int getDeviceCount();

    /** Registered handlers. */
    int getHandlerCount();

    /** Groups waiting for an answer now, counted from the live groups. */
    int getPendingGroupCount();

    /** Overflow episodes of every IOMMU's fault queues (faults the hardware dropped), as the backends reported. */
    long getHardwareOverflows();
}
