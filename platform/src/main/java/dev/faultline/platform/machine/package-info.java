/**
 * The simulated machine as a whole.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.machine.Machine}: memory, the OS's frame allocator, the IOMMUs and the
 *       firmware device description; registered as an OSGi service by the platform bundle.</li>
 *   <li>{@link dev.faultline.platform.machine.DeviceNode}: one device as firmware describes it (IOMMU,
 *       requester id, PRI, stall).</li>
 *   <li>{@link dev.faultline.platform.machine.TopologyListener} ({@code @ConsumerType}): hot plug.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.machine;
