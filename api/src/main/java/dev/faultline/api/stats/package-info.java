/**
 * What the core has done with faults so far: counters, pending groups and registered handlers, for the
 * shell, monitoring and tests.
 *
 * <ul>
 *   <li>{@link dev.faultline.api.stats.FaultStatistics} ({@code @ProviderType}): the core's service.</li>
 *   <li>{@link dev.faultline.api.stats.FaultCounts}: one set of counters (a device's, a handler's, or the
 *       totals) with the invariants they obey.</li>
 *   <li>{@link dev.faultline.api.stats.DeviceStatus}, {@link dev.faultline.api.stats.HandlerStatus},
 *       {@link dev.faultline.api.stats.IommuStatus}, {@link dev.faultline.api.stats.PendingGroup},
 *       {@link dev.faultline.api.stats.AnswerLatency}: snapshots, as values.</li>
 * </ul>
 *
 * <p>Consumers import {@code [1.0,2.0)} ({@code [1.1,2.0)} for the 1.1 additions, {@code [1.2,2.0)} for the 1.2
 * ones); the core imports {@code [1.2,1.3)}.
 */
@org.osgi.annotation.bundle.Export
@org.jspecify.annotations.NullMarked
@org.osgi.annotation.versioning.Version("1.2.0")
package dev.faultline.api.stats;
