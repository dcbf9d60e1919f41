package dev.faultline.smmuv3.internal;

/**
 * What one SMMUv3 driver did.
 *
 * @param stallsReported stall events reported to the core as page requests
 * @param pageRequestsReported PRI queue entries reported to the core
 * @param unrecoverableReported events reported to the core as unrecoverable faults
 * @param guestFaultsForwarded stage-1 faults of guest-owned devices reported to the core for their vIOMMU (with
 *     their raw record; not counted in unrecoverableReported)
 * @param unassignedRecords records of StreamIDs with no device (printed; stalls terminated, last requests denied)
 * @param stopMarkers PRI Stop Markers (never answered)
 * @param eventOverflows event queue overflow episodes
 * @param priOverflows PRI queue overflow episodes
 * @param malformedRecords records whose handling failed (logged, skipped)
 * @param eventsPrinted events printed in the kernel's form
 * @param printsSuppressed events the rate limit kept from printing
 * @param lostResponses page responses for devices the driver does not know
 * @param commandTimeouts commands or CMD_SYNCs that timed out
 * @param commandErrors commands skipped after a CMDQ error
 * @param tookOver whether this driver took over a running SMMU
 * @param teardownDrains detaches, nested re-attaches and device removals that drained the event and PRI queues
 *     before the core's barrier (so stalls and page requests of the old owner are answered with its other groups)
 * @param teardownDrainsTimedOut of those, drains that did not get the queues within the sync timeout (a handler
 *     call blocked the fault thread's pass) and went on without draining
 * @param stallsTerminated CMD_STALL_TERMs issued for removed devices (stalls left after the drain)
 * @param reportsAbandoned reports a handler held past the core's blocking threshold, whose thread was left to
 *     the handler while a fresh fault thread went on with the queues
 * @param threadsBlocked of those threads, how many the handlers still hold
 * @param abandonsRefused blocked reports that kept the queues because too many threads were held already
 */
public record DriverStatistics(long stallsReported, long pageRequestsReported, long unrecoverableReported,
        long guestFaultsForwarded, long unassignedRecords, long stopMarkers, long eventOverflows, long priOverflows,
        long malformedRecords, long eventsPrinted, long printsSuppressed, long lostResponses, long commandTimeouts,
        long commandErrors, boolean tookOver, long teardownDrains,
        long teardownDrainsTimedOut, long stallsTerminated, long reportsAbandoned, int threadsBlocked,
        long abandonsRefused) {
}
