package dev.faultline.api.stats;

/**
 * A page request group waiting for its answer.
 *
 * @param device the canonical device id text
 * @param groupId the page request group id
 * @param pasid the last request's PASID, or {@link dev.faultline.api.fault.Pasid#NONE}
 * @param handler the name of the handler that holds it
 * @param queued {@code true} while it waits in a queued handler's queue; {@code false} once deferred
 * @param ageNanos nanoseconds since the core received the group's last request
 * @param remainingNanos nanoseconds until its deadline (negative when overdue)
 */
public record PendingGroup(String device, int groupId, int pasid, String handler, boolean queued, long ageNanos,
        long remainingNanos) {
}
