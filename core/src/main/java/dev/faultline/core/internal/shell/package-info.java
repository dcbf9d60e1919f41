/**
 * The core's Gogo commands (scope {@code faultline}).
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.shell.FaultlineCommands}: {@code stats}, {@code pending},
 *       {@code handlers}, {@code release}.</li>
 *   <li>{@link dev.faultline.core.internal.shell.Counter}: the counters as {@code faultline:stats} prints
 *       them.</li>
 * </ul>
 */
package dev.faultline.core.internal.shell;
