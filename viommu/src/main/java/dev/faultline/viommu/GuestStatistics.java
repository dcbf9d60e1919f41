package dev.faultline.viommu;

/**
 * Counters of one guest's virtual IOMMU since it was created. For every fault routed to the guest,
 * {@code routed == delivered + lost + droppedUnknownDevice + droppedClosed}, where {@code lost} is the sum of
 * the counts of the {@link LostEvents} markers queued.
 *
 * @param routed faults (page request groups and unrecoverable faults) the core handed to the guest
 * @param delivered events queued for the guest ({@code pageRequestGroups + unrecoverable})
 * @param pageRequestGroups page request groups queued
 * @param unrecoverable unrecoverable faults queued
 * @param lost events not queued for lack of rate, room or pending slots
 * @param rateLimited of {@code lost}: over the guest's rate
 * @param queueFull of {@code lost}: queue at its depth
 * @param pendingFull of {@code lost}: page request groups over the bound on unanswered groups
 * @param droppedUnknownDevice faults of a device the guest has no virtual id for (not queued, not counted lost)
 * @param droppedClosed faults that arrived after the guest closed
 * @param answeredForGuest page request groups the host answered INVALID for the guest (dropped, detached, closed)
 * @param accepted guest answers sent to the device
 * @param invalidCode guest answers with a code other than SUCCESS or INVALID
 * @param forged guest answers naming a group the guest never received
 * @param replayed guest answers to a group already answered by the guest
 * @param late guest answers to a group the host had answered first
 * @param reasonDisagreements unrecoverable faults whose hardware-reported reason differs from the derived one
 * @param staleWalks unrecoverable faults whose walk of the guest's tables now succeeds: the guest changed its
 *     tables between the fault and the walk (each is still delivered, as a translation fault)
 * @param queued entries now in the queue (events and markers)
 * @param pending groups now awaiting the guest's answer
 */
public record GuestStatistics(long routed, long delivered, long pageRequestGroups, long unrecoverable, long lost,
        long rateLimited, long queueFull, long pendingFull, long droppedUnknownDevice, long droppedClosed,
        long answeredForGuest, long accepted, long invalidCode, long forged, long replayed, long late,
        long reasonDisagreements, long staleWalks, int queued, int pending) {

    /** All guest answers rejected ({@code invalidCode + forged + replayed + late}). */
    public long rejectedAnswers() {
        return invalidCode + forged + replayed + late;
    }
}
