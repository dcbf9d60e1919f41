/**
 * Step 1, report: where a backend's report enters the core.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.report.IommuConnection}: one connected IOMMU ({@code IommuPort}): its
 *       backend and devices; closing answers what is pending and carries the devices over to the next backend.</li>
 *   <li>{@link dev.faultline.core.internal.report.DeviceState}: one device ({@code DevicePort}): its attachments
 *       and partials, and the state its inline path reads per fault; {@code reportPageRequest} validates, parks or
 *       forms the group, routes and dispatches; it counts an inline group once, when answered.</li>
 *   <li>{@link dev.faultline.core.internal.report.FaultPath}: the steps every device's reports share (stamp, slot,
 *       dispatch, answer timing, host log).</li>
 *   <li>{@link dev.faultline.core.internal.report.Devices}: the devices over all IOMMUs: builds each, keeps an id on
 *       one IOMMU, carries devices across backend swaps, lists the recently removed.</li>
 *   <li>{@link dev.faultline.core.internal.report.OpenGroups}: the groups not answered yet, in handler calls or
 *       held: the barrier of a change of owner answers them, the statistics count them.</li>
 *   <li>{@link dev.faultline.core.internal.report.ReportClock}: the time stamped on each report, without a clock
 *       read per fault.</li>
 *   <li>{@link dev.faultline.core.internal.report.CarriedDevice},
 *       {@link dev.faultline.core.internal.report.CarriedAttachments}: what a device keeps across a backend
 *       swap.</li>
 * </ul>
 */
package dev.faultline.core.internal.report;
