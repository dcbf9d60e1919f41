/**
 * Decoding and replaying real kernel IOMMU fault logs.
 *
 * <ul>
 *   <li>{@link dev.faultline.faultlog.LogDecoder}: reads kernel log text and finds the fault reports in it,
 *       as {@link dev.faultline.faultlog.DecodedLog} of {@link dev.faultline.faultlog.DecodedFault}s
 *       ({@link dev.faultline.faultlog.FaultFormat}, {@link dev.faultline.faultlog.FaultField}).</li>
 *   <li>{@link dev.faultline.faultlog.DecodedFault#convert()}: a report in the fault model
 *       ({@link dev.faultline.faultlog.FaultConversion}).</li>
 *   <li>{@link dev.faultline.faultlog.FaultTable}, {@link dev.faultline.faultlog.JsonLines}: output for
 *       people and for tools.</li>
 *   <li>{@link dev.faultline.faultlog.Replayer}: feeds decoded faults through a running
 *       {@link dev.faultline.api.backend.FaultPipeline} ({@link dev.faultline.faultlog.ReplayOptions},
 *       {@link dev.faultline.faultlog.ReplayReport}).</li>
 *   <li>{@link dev.faultline.faultlog.DecodeCommand}, {@link dev.faultline.faultlog.ReplayCommand}:
 *       command-line entry points.</li>
 * </ul>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.1.0")
@org.jspecify.annotations.NullMarked
package dev.faultline.faultlog;
