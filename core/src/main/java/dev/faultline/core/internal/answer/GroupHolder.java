package dev.faultline.core.internal.answer;

/** What a group needs from the core to outlive its slot: a copy, and a place among the pending groups. */
public interface GroupHolder {
    /** An unanswered copy of {@code group}, with its deadline set; {@code queued} for a queued handler's queue. */
    HeldGroup copyOf(AnswerableGroup group, boolean queued);

    /** Makes {@code held} pending: tracked, watched for its deadline, answered if its handler already left. */
    void hold(HeldGroup held);

    /** Forgets an answered {@code held}. */
    void released(HeldGroup held);

    /** Takes back {@code original}, which its handler handed back unanswered, and routes a copy of it again. */
    void handBack(HeldGroup original);
}
