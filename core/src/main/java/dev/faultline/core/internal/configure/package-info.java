/**
 * Configure: the core's settings (PID {@code dev.faultline.core}), validated once.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.configure.CoreConfig}: the metatype of the configuration.</li>
 *   <li>{@link dev.faultline.core.internal.configure.Settings}: the fault path's validated settings.</li>
 *   <li>{@link dev.faultline.core.internal.configure.HandlerPolicy}: the validated rules for handlers (owners,
 *       guests, hand-over, clean-up, quarantine).</li>
 * </ul>
 */
package dev.faultline.core.internal.configure;
