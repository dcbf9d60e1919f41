package dev.faultline.console.internal.jmx;

/** {@code dev.faultline:type=Guest,name="<guest>"}: one guest's virtual IOMMU. */
public interface GuestMXBean {
    /** Faults the core handed to the guest. */
    long getRouted();

    /** Events queued for the guest. */
    long getDelivered();

    /** Events the guest did not get. */
    long getLost();

    /** Of the lost: over the guest's rate. */
    long getRateLimited();

    /** Of the lost: queue at its depth. */
    long getLostQueueFull();

    /** Of the lost: too many unanswered groups. */
    long getLostPendingFull();

    /** Guest answers accepted. */
    long getAccepted();

    /** Guest answers rejected (invalid code, forged, replayed, late). */
    long getRejectedAnswers();

    /** Groups the host answered INVALID for the guest. */
    long getAnsweredForGuest();

    /** Unrecoverable faults whose walk of the guest's tables succeeded later. */
    long getStaleWalks();

    /** Entries in the event queue now. */
    int getQueued();

    /** The queue's depth (events held unread at most). */
    int getQueueDepth();

    /** Groups awaiting the guest's answer now. */
    int getPendingGroups();

    /** The rate limit in faults per second; 0 for none. */
    long getRateLimitPerSecond();

    /** The rate limit's burst. */
    int getRateBurst();
}
