package dev.faultline.console.internal.state;

import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestStatistics;

/**
 * One guest's virtual IOMMU at one instant.
 *
 * @param name the guest's name
 * @param limits the bounds it works within (queue depth, pending groups, rate)
 * @param statistics its counters and queue occupancy
 */
public record GuestView(String name, GuestLimits limits, GuestStatistics statistics) {
}
