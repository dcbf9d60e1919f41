package dev.faultline.vtd.internal;

/**
 * What the driver of one unit did, counted since it started.
 *
 * @param pageRequestsReported page requests reported to the core
 * @param badPageRequests page requests the driver rejected itself (not canonical, privileged, execute with
 *     read, unknown requester)
 * @param stopMarkers Stop Markers dropped
 * @param queueOverflows passes that found PRS.PRO set
 * @param faultsReported fault records reported to the core
 * @param faultsDelivered of those, delivered to a handler
 * @param faultsPrinted kernel lines printed for unhandled faults
 * @param faultsPrintSuppressed unhandled faults not printed because of the rate limit
 * @param faultsGuestSilenced unhandled faults not printed because a guest owns them
 * @param faultsHostOwnedOfGuests faults of a guest's device that the first level did not raise (tables, entries,
 *     second level): kept from the guest, printed under the guest's own limit (in {@code faultsPrinted} or
 *     {@code faultsPrintSuppressed})
 * @param faultRecordOverflows passes that found FSTS.PFO set (faults the hardware dropped)
 * @param responsesSent page group responses the unit completed
 * @param responsesLost responses whose invalidation wait timed out
 * @param responsesRefused responses the driver refused to send (not its device, group index or PASID out of
 *     range)
 * @param invalidationErrors descriptors the unit rejected (FSTS.IQE)
 * @param reservedDescriptors page request descriptors refused because reserved bits were set (the group answered
 *     Invalid when the descriptor was its last)
 * @param pasidDrains PASID teardowns and device removals that drained the page request queue before the core was
 *     told (VT-d spec 7.10)
 * @param reportsAbandoned reports a handler held past the core's blocking threshold, whose interrupt thread was
 *     left to the handler while a fresh one went on with the fault records and the page request queue
 * @param threadsBlocked of those threads, how many the handlers still hold
 * @param abandonsRefused blocked reports that kept the queues because too many threads were held already
 */
public record DriverCounters(long pageRequestsReported, long badPageRequests, long stopMarkers, long queueOverflows,
        long faultsReported, long faultsDelivered, long faultsPrinted, long faultsPrintSuppressed,
        long faultsGuestSilenced, long faultsHostOwnedOfGuests, long faultRecordOverflows, long responsesSent,
        long responsesLost, long responsesRefused, long invalidationErrors, long reservedDescriptors,
        long pasidDrains, long reportsAbandoned, int threadsBlocked, long abandonsRefused) {
}
