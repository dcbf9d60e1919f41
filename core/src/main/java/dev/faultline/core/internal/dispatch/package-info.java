/**
 * Step 4, dispatch: hand the group to its handler and enforce the answer rules around the call.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.dispatch.GroupDispatcher}: inline call, queued copy, no handler,
 *       routing again after a departure or hand-over.</li>
 *   <li>{@link dev.faultline.core.internal.dispatch.Quarantine}: handlers that keep failing are routed around for a
 *       back-off, then released on probation.</li>
 *   <li>{@link dev.faultline.core.internal.dispatch.Handler}: everything the core knows about one registered
 *       {@code FaultHandler} service (its registration, state, counters, queue).</li>
 *   <li>{@link dev.faultline.core.internal.dispatch.HandlerQueue}: the bounded ring and thread of a queued handler
 *       (lock-free offers, batches, spin then park).</li>
 *   <li>{@link dev.faultline.core.internal.dispatch.SpinBudget}: how many idle queued handlers' threads may spin at
 *       once (one fewer than the processors); the others park at once.</li>
 * </ul>
 */
package dev.faultline.core.internal.dispatch;
