/**
 * The Intel VT-d remapping hardware model: registers, scalable-mode tables, fault recording and the
 * page request and invalidation queues, plus the Linux fault reason table.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.vtd.FaultReason}, {@link dev.faultline.platform.vtd.FaultType}: VT-d
 *       fault reason codes with the kernel's exact strings and classification (Linux dmar_fault_do_one).</li>
 *   <li>{@link dev.faultline.platform.vtd.RegisterMap}, {@link dev.faultline.platform.vtd.Capability},
 *       {@link dev.faultline.platform.vtd.ExtendedCapability}, {@link dev.faultline.platform.vtd.FaultStatus}:
 *       register offsets and fields (§3.1-§3.3).</li>
 *   <li>{@link dev.faultline.platform.vtd.FaultRecord}: the 128-bit fault recording register and the kernel's
 *       line for it (§3.4, §3.5).</li>
 *   <li>{@link dev.faultline.platform.vtd.PageRequestDescriptor}: page request queue entries (§3.6);
 *       {@link dev.faultline.platform.vtd.PageGroupResponse}, {@link dev.faultline.platform.vtd.InvalidationWait},
 *       {@link dev.faultline.platform.vtd.InvalidationType}: invalidation queue descriptors (§3.8).</li>
 *   <li>{@link dev.faultline.platform.vtd.RootEntry}, {@link dev.faultline.platform.vtd.ContextEntry},
 *       {@link dev.faultline.platform.vtd.PasidDirectoryEntry}, {@link dev.faultline.platform.vtd.PasidEntry},
 *       {@link dev.faultline.platform.vtd.PasidTranslationType}: scalable-mode tables (§3.9).</li>
 * </ul>
 *
 * <p>Every record encodes and decodes bit-exactly; constants cite the VT-d spec and Linux names.
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.platform.vtd;
