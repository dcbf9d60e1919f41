package dev.faultline.viommu;

/**
 * Counters of one guest's {@link VirtualVtd} unit: what the guest programmed, what was refused, and what became
 * of the guest's faults and page requests.
 *
 * @param registerWritesRefused register writes ignored: unknown or read-only offsets, reserved bits, a root table
 *     or queue outside guest RAM, a queue base changed while enabled, a head moved past the tail
 * @param descriptors invalidation descriptors consumed (including refused ones)
 * @param descriptorErrors descriptors refused with FSTS.IQE (unknown or unsupported type, reserved bits, bad
 *     granularity, a status address outside guest RAM, a misaligned or out-of-range tail)
 * @param waits invalidation waits completed
 * @param entriesInstalled PASID entries that took effect for a host device (the binder was called)
 * @param entriesRefused root, context, PASID-directory or PASID-table entries refused (reserved bits, a feature
 *     the unit does not offer, a table outside guest RAM) and binds the host refused; their PASIDs abort
 * @param faultsRecorded fault records written into the guest's fault recording registers
 * @param faultsCompressed faults collapsed into a pending record of the same source (compression on)
 * @param faultsOverflowed faults dropped with FSTS.PFO: the next register was still full, or the guest's
 *     vIOMMU lost them (its queue or rate)
 * @param faultsSuppressed faults not recorded because the guest set FPD in the context, directory or PASID entry
 * @param faultsDiscarded faults with no record in the VT-d format (no first-level context for the PASID)
 * @param pageRequestsQueued page request descriptors written into the guest's page request queue
 * @param pageRequestsDiscarded page request groups discarded with PRS.PRO (queue full or overflow active),
 *     answered SUCCESS so that the device asks again
 * @param pageRequestsRefused page request groups answered INVALID for the guest: no page request queue, no
 *     context or PRE/PASIDE clear in the guest's context entry, or no group index free
 * @param responses page group responses that answered a group
 * @param responsesRefused page group responses naming no group the guest was shown (forged, stale, replayed,
 *     another device's or PASID's); like the hardware, a no-op
 * @since 1.2
 */
public record VirtualVtdStatistics(long registerWritesRefused, long descriptors, long descriptorErrors, long waits,
        long entriesInstalled, long entriesRefused, long faultsRecorded, long faultsCompressed, long faultsOverflowed,
        long faultsSuppressed, long faultsDiscarded, long pageRequestsQueued, long pageRequestsDiscarded,
        long pageRequestsRefused, long responses, long responsesRefused) {
}
