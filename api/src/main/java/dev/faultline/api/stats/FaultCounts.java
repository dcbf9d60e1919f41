package dev.faultline.api.stats;

/**
 * One set of counters: a device's, a handler's, or the core's totals.
 *
 * <p>Each reported fault has exactly one outcome (the {@link dev.faultline.api.backend.ReportOutcome} the
 * backend got), and each page request group formed is answered exactly once, so at rest
 * <pre>
 * reported == parked + droppedPartials + dispatched + delivered + noHandler + rejected
 * groups   == answeredSuccess + answeredInvalid + answeredFailure + pending
 * </pre>
 * ({@link #balanced()}). For a handler, {@code reported} counts the faults routed to it.
 *
 * @param reported faults reported (page requests and unrecoverable faults)
 * @param parked partial page requests parked until their group's last request
 * @param droppedPartials partial page requests dropped because a bound on parked requests was hit
 * @param discardedPartials parked requests discarded later (queue overflow, device removal, disconnect)
 * @param dispatched last-page requests whose group went to a handler
 * @param delivered unrecoverable faults delivered to a handler
 * @param noHandler faults nobody serves (groups answered INVALID)
 * @param rejected malformed faults and faults of removed devices
 * @param groups page request groups formed (one per last-page request)
 * @param answeredSuccess groups answered SUCCESS
 * @param answeredInvalid groups answered INVALID (by a handler, or by the core)
 * @param answeredFailure groups answered FAILURE
 * @param pending groups not yet answered (in a handler call, deferred, or queued)
 * @param timedOut deferred or queued groups the core answered at their deadline
 * @param abandoned groups a handler neither answered nor deferred (answered INVALID)
 * @param handlerErrors handler calls that threw (their groups answered FAILURE)
 * @param slowCalls inline handler calls still running past the core's blocking threshold
 * @param duplicates answers rejected because the group was already answered
 * @param queueFull groups a queued handler's full queue could not take (answered FAILURE by default)
 * @param lostResponses answers the backend could not send (it threw, or had disconnected)
 * @param answeredAtDetach groups a change of owner (detach, replace, nested re-attach, PASID teardown) answered
 *     INVALID before it returned, because they were formed under the old attachment (also in answeredInvalid)
 * @param staleAnswers answers refused because the group's owner changed before they came: the group was answered
 *     INVALID on the new owner's behalf, and the stale answer never reached the hardware
 * @param answeredAtRemoval groups answered INVALID because their device was removed or its IOMMU's backend left
 *     (also in answeredInvalid)
 * @param answeredAtDeparture groups answered INVALID because their handler left (also in answeredInvalid)
 * @param mixedPasid partial page requests parked under a group index that a parked request of another PASID of
 *     the same device already uses (the requests are kept apart: each PASID's group forms on its own last request)
 */
public record FaultCounts(long reported, long parked, long droppedPartials, long discardedPartials, long dispatched,
        long delivered, long noHandler, long rejected, long groups, long answeredSuccess, long answeredInvalid,
        long answeredFailure, long pending, long timedOut, long abandoned, long handlerErrors, long slowCalls,
        long duplicates,
        long queueFull, long lostResponses, long answeredAtDetach, long staleAnswers, long answeredAtRemoval,
        long answeredAtDeparture, long mixedPasid) {

    /**
     * The counters without those of changes of owner (all zero), as in version 1.0.
     *
     * @since 1.1
     */
    public FaultCounts(long reported, long parked, long droppedPartials, long discardedPartials, long dispatched,
            long delivered, long noHandler, long rejected, long groups, long answeredSuccess, long answeredInvalid,
            long answeredFailure, long pending, long timedOut, long abandoned, long handlerErrors, long slowCalls,
            long duplicates, long queueFull, long lostResponses) {
        this(reported, parked, droppedPartials, discardedPartials, dispatched, delivered, noHandler, rejected, groups,
                answeredSuccess, answeredInvalid, answeredFailure, pending, timedOut, abandoned, handlerErrors,
                slowCalls, duplicates, queueFull, lostResponses, 0, 0, 0, 0, 0);
    }

    /** Groups answered, by any code. */
    public long answered() {
        return answeredSuccess + answeredInvalid + answeredFailure;
    }

    /** The sum of the report outcomes; equals {@link #reported()} at rest. */
    public long outcomes() {
        return parked + droppedPartials + dispatched + delivered + noHandler + rejected;
    }

    /** Whether every reported fault has an outcome and every group is answered or pending. */
    public boolean balanced() {
        return reported == outcomes() && groups == answered() + pending;
    }
}
