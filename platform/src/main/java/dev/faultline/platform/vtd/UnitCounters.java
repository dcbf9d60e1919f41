package dev.faultline.platform.vtd;

/**
 * What a remapping unit did, counted since it was built: the visible record of everything it dropped.
 *
 * @param faultsRecorded faults written to a fault recording register
 * @param faultsOverflowed faults dropped because the next register was full (FSTS.PFO)
 * @param faultsSuppressed faults not recorded because FPD was set
 * @param pageRequestsQueued page request descriptors written to the page request queue
 * @param pageRequestsDiscarded page requests dropped on overflow (PRS.PRO) or with no queue programmed
 * @param automaticResponses PRG responses the unit sent on its own for page requests it could not queue
 * @param responsesSent PRG responses delivered to a device
 * @param responsesUndeliverable PRG responses for a requester id with no device connected
 * @param invalidationErrors invalidation queue errors (FSTS.IQE)
 * @param pasidCacheEntries PASID entries cached now (§6.5)
 * @param pasidCacheHits translations that took their PASID entry from the cache
 * @param faultsCompressed faults collapsed into a pending record of the same source id (fault compression on;
 *     since 1.1)
 */
public record UnitCounters(long faultsRecorded, long faultsOverflowed, long faultsSuppressed, long pageRequestsQueued,
        long pageRequestsDiscarded, long automaticResponses, long responsesSent, long responsesUndeliverable,
        long invalidationErrors, int pasidCacheEntries,
        long pasidCacheHits, long faultsCompressed) {

    /** The counters of a unit that compresses no faults (the 1.0 form). */
    public UnitCounters(long faultsRecorded, long faultsOverflowed, long faultsSuppressed, long pageRequestsQueued,
            long pageRequestsDiscarded, long automaticResponses, long responsesSent, long responsesUndeliverable,
            long invalidationErrors, int pasidCacheEntries, long pasidCacheHits) {
        this(faultsRecorded, faultsOverflowed, faultsSuppressed, pageRequestsQueued, pageRequestsDiscarded,
                automaticResponses, responsesSent, responsesUndeliverable, invalidationErrors, pasidCacheEntries,
                pasidCacheHits, 0);
    }
}
