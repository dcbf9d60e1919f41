/**
 * Step 2, group: partial page requests wait for their group's last request.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.group.PartialList}: one device's parked partial requests, matched by
 *       PASID and group id.</li>
 *   <li>{@link dev.faultline.core.internal.group.PartialBudget}: the bounds on partials, per device and over all
 *       devices.</li>
 *   <li>{@link dev.faultline.core.internal.group.FaultBuffer}: the faults of one group in primitive arrays (reused,
 *       so forming a group allocates nothing).</li>
 * </ul>
 */
package dev.faultline.core.internal.group;
