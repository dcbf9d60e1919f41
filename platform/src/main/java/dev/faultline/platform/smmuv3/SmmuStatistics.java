package dev.faultline.platform.smmuv3;

/**
 * Counters of one simulated SMMU, for tests and the shell: what the hardware did, independently of what any
 * driver saw.
 *
 * @param transactions accesses presented (retries included)
 * @param translated accesses that translated
 * @param eventsWritten records written to the event queue
 * @param eventsDiscarded records discarded because the event queue was full (each may set OVFLG)
 * @param eventsDropped records dropped because the event queue was disabled
 * @param stalls transactions stalled
 * @param stallsPending stalled records waiting for room in the event queue (never discarded)
 * @param pageRequests PCIe page requests received
 * @param priEntriesWritten entries written to the PRI queue
 * @param priEntriesDiscarded page requests discarded (PRI queue full or overflowing)
 * @param autoResponses PRG responses the SMMU sent by itself (overflow, PRIQ disabled)
 * @param prgResponsesSent PRG responses sent for CMD_PRI_RESP
 * @param prgResponsesUndeliverable PRG responses for a requester with no function connected
 * @param commandsConsumed commands consumed from the command queue
 * @param commandErrors command queue errors (CERROR_*)
 * @param resumesUnmatched CMD_RESUMEs naming no stalled transaction (no-ops)
 */
public record SmmuStatistics(long transactions, long translated, long eventsWritten, long eventsDiscarded,
        long eventsDropped, long stalls, int stallsPending, long pageRequests, long priEntriesWritten,
        long priEntriesDiscarded, long autoResponses, long prgResponsesSent, long prgResponsesUndeliverable,
        long commandsConsumed, long commandErrors, long resumesUnmatched) {
}
