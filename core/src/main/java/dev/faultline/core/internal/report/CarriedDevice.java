package dev.faultline.core.internal.report;

/**
 * A device as its IOMMU's backend left it: the device's state (for its counters) and its attachments, for the
 * next backend instance of the same IOMMU.
 *
 * @param previous the device's state under the backend that left
 * @param attachments its attachments then (possibly none)
 */
public record CarriedDevice(DeviceState previous, CarriedAttachments attachments) {
}
