package dev.faultline.api.stats;

/**
 * One device as the core sees it.
 *
 * @param device the canonical device id text
 * @param iommu the name of the IOMMU it was added on
 * @param present {@code false} once the device was removed or its IOMMU disconnected
 * @param partials page requests parked now, waiting for their group's last request
 * @param counts the device's counters
 */
public record DeviceStatus(String device, String iommu, boolean present, int partials, FaultCounts counts) {
}
