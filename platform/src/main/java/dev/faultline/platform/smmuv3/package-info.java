/**
 * The simulated Arm SMMUv3 (IHI 0070): registers, stream table, context descriptors, translation,
 * event, PRI and command queues in memory, the stall model and PCIe PRI.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.smmuv3.EventType}, {@link dev.faultline.platform.smmuv3.EventId}: event
 *       numbers with spec and Linux names.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.smmuv3;
