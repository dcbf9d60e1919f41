/**
 * Step 5, answer: the group object a handler reads and answers, and the one answer that reaches the backend.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.answer.AnswerableGroup}: a group as the handler ({@code FaultGroup}) and
 *       the backend ({@code PageResponse}) see it; counts and sends the winning answer.</li>
 *   <li>{@link dev.faultline.core.internal.answer.InlineGroup}: the reporting thread's reused slot, answered by one
 *       compare-and-set.</li>
 *   <li>{@link dev.faultline.core.internal.answer.InlineSlots}: one slot per reporting thread.</li>
 *   <li>{@link dev.faultline.core.internal.answer.HeldGroup}: a copy that outlives the slot (deferred or
 *       queued).</li>
 *   <li>{@link dev.faultline.core.internal.answer.GroupHolder}: what a slot needs to hold a copy;
 *       {@link dev.faultline.core.internal.answer.GroupFilter}: which groups a change of owner answers.</li>
 * </ul>
 */
package dev.faultline.core.internal.answer;
