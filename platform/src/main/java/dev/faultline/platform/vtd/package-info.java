/**
 * The Intel VT-d remapping hardware model: registers, scalable-mode tables, fault recording and the
 * page request and invalidation queues, plus the Linux fault reason table.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.vtd.FaultReason}, {@link dev.faultline.platform.vtd.FaultType}: VT-d
 *       fault reason codes with the kernel's exact strings and classification (hw-formats §3.5).</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.platform.vtd;
