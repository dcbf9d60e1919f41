package dev.faultline.core.internal.answer;

import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.core.internal.dispatch.Handler;

/** What a group needs from the core to outlive its handler call: a held slot, and a place among the pending groups. */
public interface GroupHolder {
    /**
     * A held slot filled with a copy of {@code group} and its deadline, reserved (not pending yet); {@code queued}
     * for a queued handler's queue. Called on the reporting thread.
     */
    HeldGroup reserve(AnswerableGroup group, boolean queued);

    /** Frees a reserved slot that is not needed after all. */
    void unreserve(HeldGroup held);

    /**
     * Makes the reserved {@code held} pending: watched for its deadline, answered at once if its owner or handler is
     * already gone. Returns its generation.
     */
    long hold(HeldGroup held);

    /** Takes back {@code held}, which its handler handed back unanswered (now generation {@code generation}), and routes it again. */
    void handBack(HeldGroup held, long generation);

    /** Where {@code handler} answers and reads the groups it deferred by token (one object per handler). */
    DeferredTokens tokens(Handler handler);
}
