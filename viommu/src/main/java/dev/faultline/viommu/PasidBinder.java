package dev.faultline.viommu;

import dev.faultline.api.fault.DeviceId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The VMM's side of a {@link VirtualVtd}: makes a host device's PASID follow what the guest programmed in its
 * scalable-mode PASID-table entry. Typically a nested attach through the intel-vtd backend
 * ({@code VtdIommu.attachNested(device, pasid, Domain.nested(domain, guest), new GuestFirstLevel(
 * entry.firstLevelTable(), entry.supervisorRequests(), entry.writeProtect()), secondLevel.root())}: the guest's first
 * level, with the supervisor-request controls it programmed, over the host's second level) for
 * {@link VirtualPasidEntry.Mode#FIRST_LEVEL}, a detach for {@link VirtualPasidEntry.Mode#ABORT}.
 *
 * <p>Called only with entries the virtual VT-d unit validated, and only when the entry changed: re-binding the
 * same entry would be a change of owner for the host, which answers the guest's pending page requests.
 *
 * @since 1.2
 */
@ConsumerType
@FunctionalInterface
public interface PasidBinder {

    /**
     * Makes {@code (device, pasid)} follow {@code entry}. Called from the guest's register writes (a vCPU's MMIO
     * trap: the tail write that submits a PASID-cache or context-cache invalidation, or a GCMD write), never
     * from the fault path; it may block for the host's barrier.
     *
     * @param pasid the PASID, or {@link dev.faultline.api.fault.Pasid#NONE} for requests without PASID (the
     *     guest's context entry's RID_PASID entry)
     * @throws RuntimeException if the host refuses; the virtual unit then counts a refused entry and the PASID
     *     is left aborting
     */
    void bind(DeviceId device, int pasid, VirtualPasidEntry entry);
}
