package dev.faultline.viommu;

/**
 * Counters of one guest's {@link VirtualSmmuV3}: what the guest programmed and what was refused.
 *
 * @param commands commands consumed from the guest's command queue (including refused ones)
 * @param commandErrors commands refused with CERROR_ILL (unknown opcode, reserved field, out-of-range id)
 * @param syncs CMD_SYNCs completed
 * @param stesInstalled STEs that took effect for a host device (the binder was called)
 * @param stesRefused STEs refused (reserved bits or encodings, unsupported configuration, table outside guest
 *     RAM) and CDs of an accepted STE refused (unreadable, not AArch64 4 KiB little-endian, reserved IPS);
 *     their streams abort, or their PASIDs have no stage 1
 * @param registerWritesRefused register writes ignored: unknown or read-only offsets, reserved bits, a base
 *     changed while its queue or table is enabled, an enable whose base or size is bad, a CONS beyond PROD
 * @param eventsWritten records written into the guest's event queue
 * @param eventsMerged records merged into the previous identical one (STE.MEV = 1)
 * @param eventsDiscarded non-stall records discarded: queue full (overflow), queue disabled, or no record in the
 *     SMMUv3 format (the guest had no CD for the PASID)
 * @param overflows times EVENTQ_PROD.OVFLG was toggled
 * @param stallsTerminated stalls answered INVALID for the guest: by its CMD_STALL_TERM, or because its event
 *     queue is disabled, the group has several requests (the virtual SMMU has no PRI), its PASID has no CD, or no
 *     STAG is free (a reprogrammed stream's stalls are answered by the host's change of owner, not counted here)
 * @param resumes CMD_RESUMEs that answered a stall
 * @param resumesRefused CMD_RESUMEs naming no stall of that stream (forged, stale, already answered)
 * @param stallsWaiting stall records now waiting for room in the guest's event queue
 */
public record VirtualSmmuStatistics(long commands, long commandErrors, long syncs, long stesInstalled,
        long stesRefused, long registerWritesRefused, long eventsWritten, long eventsMerged, long eventsDiscarded,
        long overflows, long stallsTerminated, long resumes, long resumesRefused, int stallsWaiting) {
}
