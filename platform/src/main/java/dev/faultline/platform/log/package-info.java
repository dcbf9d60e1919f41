/**
 * Decoding and replaying real kernel IOMMU fault logs.
 *
 * <ul>
 *   <li>{@link dev.faultline.platform.log.LogDecoder}: reads kernel log text and finds the fault reports in it,
 *       as {@link dev.faultline.platform.log.DecodedLog} of {@link dev.faultline.platform.log.DecodedFault}s
 *       ({@link dev.faultline.platform.log.FaultFormat}, {@link dev.faultline.platform.log.FaultField}).</li>
 *   <li>{@link dev.faultline.platform.log.DecodedFault#convert()}: a report in the fault model
 *       ({@link dev.faultline.platform.log.FaultConversion}).</li>
 *   <li>{@link dev.faultline.platform.log.FaultTable}, {@link dev.faultline.platform.log.JsonLines}: output for
 *       people and for tools.</li>
 *   <li>{@link dev.faultline.platform.log.Replayer}: feeds decoded faults through a running
 *       {@link dev.faultline.api.backend.FaultPipeline} ({@link dev.faultline.platform.log.ReplayOptions},
 *       {@link dev.faultline.platform.log.ReplayReport}).</li>
 *   <li>{@link dev.faultline.platform.log.DecodeCommand}, {@link dev.faultline.platform.log.ReplayCommand}:
 *       command-line entry points.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package dev.faultline.platform.log;
