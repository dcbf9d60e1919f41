package dev.faultline.console.internal.jmx;

/**
 * One set of the core's counters ({@link dev.faultline.api.stats.FaultCounts}) as MXBean attributes: the core's
 * totals, a device's, or a handler's. Each read is a fresh read of the core's statistics.
 */
public interface CountsMXBean {
    /** Faults reported. */
    long getReported();

    /** Partial page requests parked. */
    long getParked();

    /** Partial page requests dropped at a bound. */
    long getDroppedPartials();

    /** Parked requests discarded later. */
    long getDiscardedPartials();

    /** Last-page requests whose group went to a handler. */
    long getDispatched();

    /** Unrecoverable faults delivered to a handler. */
    long getDelivered();

    /** Faults nobody serves. */
    long getNoHandler();

    /** Malformed faults and faults of removed devices. */
    long getRejected();

    /** Page request groups formed. */
    long getGroups();

    /** Groups answered SUCCESS. */
    long getAnsweredSuccess();

    /** Groups answered INVALID. */
    long getAnsweredInvalid();

    /** Groups answered FAILURE. */
    long getAnsweredFailure();

    /** Groups waiting for an answer. */
    long getPending();

    /** Groups the core answered at their deadline. */
    long getTimedOut();

    /** Groups a handler neither answered nor deferred. */
    long getAbandoned();

    /** Handler calls that threw. */
    long getHandlerErrors();

    /** Inline calls past the blocking threshold. */
    long getSlowCalls();

    /** Answers refused as duplicates. */
    long getDuplicates();

    /** Groups a full queue could not take. */
    long getQueueFull();

    /** Answers the backend could not send. */
    long getLostResponses();

    /** Groups answered INVALID by a change of owner before it returned. */
    long getAnsweredAtDetach();

    /** Answers refused because the group's owner changed before they came. */
    long getStaleAnswers();

    /** Groups answered INVALID because their device was removed or its backend left. */
    long getAnsweredAtRemoval();

    /** Groups answered INVALID because their handler left. */
    long getAnsweredAtDeparture();

    /** Partials parked under a group index another PASID of the device already uses. */
    long getMixedPasid();

    /** Whether the counters balance ({@link dev.faultline.api.stats.FaultCounts#balanced()}). */
    boolean isBalanced();
}
