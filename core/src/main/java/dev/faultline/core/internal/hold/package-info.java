/**
 * Step 6, hold and deadline: the groups the core still owes an answer for beyond their report, and the core's own
 * answers to them.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.hold.ResponseLedger}: the held groups (deferred, queued, waiting for a
 *       replacement), their deadlines and the timeout policy, and the core's answers at a deadline, a change of
 *       owner or a departure.</li>
 *   <li>{@link dev.faultline.core.internal.hold.HeldSlots}: the preallocated held-group slots of one reporting
 *       thread, and its deadlines.</li>
 *   <li>{@link dev.faultline.core.internal.hold.DeadlineFifo}: the deadlines of one timeout value, in the order they
 *       come due.</li>
 *   <li>{@link dev.faultline.core.internal.hold.DeadlineWatchdog}: the one thread that wakes at the ledger's next
 *       deadline and runs the core's periodic scan.</li>
 *   <li>{@link dev.faultline.core.internal.hold.Handover}: the groups of a departed handler's target waiting for
 *       its replacement.</li>
 *   <li>{@link dev.faultline.core.internal.hold.Ticker}: the core's time source.</li>
 * </ul>
 */
package dev.faultline.core.internal.hold;
