/**
 * Step 7, count: what every step counts, per device and per handler, without a lock or an allocation.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.count.Counter}: one counter per field of {@code FaultCounts}.</li>
 *   <li>{@link dev.faultline.core.internal.count.Counters}: a set of counters, counted in per-thread lanes; an inline
 *       group is one increment (its report, forming, dispatch and answer), split at snapshot time.</li>
 *   <li>{@link dev.faultline.core.internal.count.AnswerTimer}: times the answers of the groups a device samples.</li>
 *   <li>{@link dev.faultline.core.internal.count.LatencyHistogram}: answer latencies, lock-free, log-linear.</li>
 *   <li>{@link dev.faultline.core.internal.count.IommuOverflows}: hardware queue overflows of one IOMMU.</li>
 * </ul>
 */
package dev.faultline.core.internal.count;
