/**
 * The fault model: immutable values describing what an IOMMU reported.
 *
 * <ul>
 *   <li>{@link dev.faultline.api.fault.Fault}: sealed; either a {@link dev.faultline.api.fault.PageRequest}
 *       (recoverable, answered per group) or an {@link dev.faultline.api.fault.UnrecoverableFault}.</li>
 *   <li>{@link dev.faultline.api.fault.PageRequestGroup}: all requests of one group id, the last one last.</li>
 *   <li>{@link dev.faultline.api.fault.DeviceId}: who faulted (PCI requester id, SMMU stream id, platform name).</li>
 *   <li>{@link dev.faultline.api.fault.Permissions}, {@link dev.faultline.api.fault.Pasid},
 *       {@link dev.faultline.api.fault.ResponseCode}, {@link dev.faultline.api.fault.HardwareRecord}.</li>
 * </ul>
 *
 * <p>No value carries an invented "fault reason": handlers get address, PASID, permissions and (for fetch
 * aborts) the fetch address, as the 2023 design agreed. A backend may attach its raw record for diagnostics.
 *
 * <p>Consumers import {@code [1.0,2.0)}; providers {@code [1.0,1.1)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.api.fault;
