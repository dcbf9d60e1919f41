/**
 * Step 5, answer: the group object a handler reads and answers, and the one answer that reaches the backend.
 *
 * <ul>
 *   <li>{@link dev.faultline.core.internal.answer.AnswerableGroup}: a group as the handler ({@code FaultGroup}) and
 *       the backend ({@code PageResponse}) see it; counts and sends the winning answer.</li>
 *   <li>{@link dev.faultline.core.internal.answer.InlineGroup}: the reporting thread's reused slot, answered by one
 *       compare-and-set.</li>
 *   <li>{@link dev.faultline.core.internal.answer.InlineSlots}: one slot per reporting thread.</li>
 *   <li>{@link dev.faultline.core.internal.answer.HeldGroup}: a reused slot holding a group that outlives the
 *       handler call (deferred, queued, waiting for a replacement): one state word with a generation that every
 *       answer names.</li>
 *   <li>{@link dev.faultline.core.internal.answer.DeferredHandle}: what a deferring handler keeps: a held slot and
 *       one generation (a stale handle answers nothing).</li>
 *   <li>{@link dev.faultline.core.internal.answer.TokenDirectory}: the held slots a token ({@code deferToken()})
 *       can name, by number; {@link dev.faultline.core.internal.answer.HandlerTokens}: a handler's
 *       {@code DeferredTokens}, acting on a token's generation only (a stale token answers and reads nothing).</li>
 *   <li>{@link dev.faultline.core.internal.answer.GroupHolder}: what a slot needs to hold its group beyond the
 *       call; {@link dev.faultline.core.internal.answer.GroupFilter}: which groups a change of owner answers.</li>
 * </ul>
 */
package dev.faultline.core.internal.answer;
