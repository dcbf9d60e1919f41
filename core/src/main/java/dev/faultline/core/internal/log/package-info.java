/**
 * The host log: what the core prints about faults and handlers, and where it goes.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.log.HostLog}: the policy: rate-limited per device and handler, never a
 *       guest's faults.</li>
 *   <li>{@link dev.faultline.core.internal.log.LogSink}: where lines go; {@link dev.faultline.core.internal.log.OsgiLogSink}
 *       into the OSGi log.</li>
 * </ul>
 */
package dev.faultline.core.internal.log;
