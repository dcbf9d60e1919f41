package dev.faultline.console.internal.jmx;

/** {@code dev.faultline:type=Device,name="<device id>"}: one device's counters. */
public interface DeviceMXBean extends CountsMXBean {
    /** The canonical device id. */
    String getDevice();

    /** The IOMMU (backend connection) it was added on. */
    String getBackend();

    /** Whether it is present (not removed). */
    boolean isPresent();

    /** Partial page requests parked now. */
    int getPartials();
}
