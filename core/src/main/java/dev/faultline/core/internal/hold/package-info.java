/**
 * Step 6, hold and deadline: groups that outlive their report wait here until answered, and are answered by the
 * core at their deadline.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.hold.PendingGroups}: the held groups not yet answered.</li>
 *   <li>{@link dev.faultline.core.internal.hold.DeadlineWatchdog}: the one thread that answers held groups at
 *       their deadline and scans for blocking inline calls.</li>
 *   <li>{@link dev.faultline.core.internal.hold.Handover}: the groups of a departed handler's target waiting for
 *       its replacement.</li>
 *   <li>{@link dev.faultline.core.internal.hold.Ticker}: the core's time source.</li>
 * </ul>
 */
package dev.faultline.core.internal.hold;
