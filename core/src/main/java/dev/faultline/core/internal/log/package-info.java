/**
 * The host log: what the core prints about faults and handlers.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.log.HostLog}: the policy: rate-limited per device and handler, never a
 *       guest's faults; its lines go to a {@link dev.faultline.core.log.LogSink}.</li>
 * </ul>
 */
package dev.faultline.core.internal.log;
