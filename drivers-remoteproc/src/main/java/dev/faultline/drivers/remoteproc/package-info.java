/**
 * The remoteproc driver: a remote processor booted with firmware behind its own IOMMU domain, whose IOMMU
 * faults are crashes that recovery handles off the fault path.
 *
 * <ul>
 *   <li>{@link dev.faultline.drivers.remoteproc.RemoteProcessor} ({@code @ProviderType}): the processor as a
 *       service: status, coredump, boot, shutdown, crash reports, the recovery knob.</li>
 *   <li>{@link dev.faultline.drivers.remoteproc.RprocState}, {@link dev.faultline.drivers.remoteproc.CrashType},
 *       {@link dev.faultline.drivers.remoteproc.Crash}, {@link dev.faultline.drivers.remoteproc.RprocStatus}:
 *       its state machine and what it observed.</li>
 *   <li>{@link dev.faultline.drivers.remoteproc.Coredump}, {@link dev.faultline.drivers.remoteproc.CoredumpSegment}:
 *       what recovery saved of its memory.</li>
 *   <li>{@link dev.faultline.drivers.remoteproc.FirmwareImage}, {@link dev.faultline.drivers.remoteproc.FirmwareSegment},
 *       {@link dev.faultline.drivers.remoteproc.MemoryRegion}, {@link dev.faultline.drivers.remoteproc.Opcode},
 *       {@link dev.faultline.drivers.remoteproc.HeartbeatFirmware}: firmware for the modelled core and the
 *       carveouts it runs in.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.drivers.remoteproc;
