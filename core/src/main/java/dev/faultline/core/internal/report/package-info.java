/**
 * Step 1, report: where a backend's report enters the core.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.report.IommuConnection}: one connected IOMMU ({@code IommuPort}): its
 *       backend and devices; closing answers what is pending and carries the devices over to the next backend.</li>
 *   <li>{@link dev.faultline.core.internal.report.DeviceState}: one device ({@code DevicePort}): its attachments
 *       and partials; {@code reportPageRequest} validates, parks or forms the group, routes and dispatches.</li>
 *   <li>{@link dev.faultline.core.internal.report.ReportClock}: the time stamped on each report, without a clock
 *       read per fault.</li>
 *   <li>{@link dev.faultline.core.internal.report.CarriedDevice},
 *       {@link dev.faultline.core.internal.report.CarriedAttachments}: what a device keeps across a backend
 *       swap.</li>
 * </ul>
 */
package dev.faultline.core.internal.report;
