package dev.faultline.vtd;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import org.osgi.annotation.versioning.ProviderType;

/**
 * One Intel VT-d remapping unit as the intel-vtd backend drives it, registered as an OSGi service: where a
 * driver attaches its device (or one PASID of it) to a domain whose first-level page table it owns.
 *
 * <p>Attaching programs the unit's scalable-mode tables (context entry with PASID and page requests enabled,
 * PASID directory, PASID table entry of type first-level with the table's root) and tells the core which
 * domain serves the device and PASID, so its faults reach that domain's handler. A {@link Domain#nested
 * nested} domain's table is the guest's own: its faults go to the guest's handler and are never printed on
 * the host.
 *
 * <p>Thread-safe. Methods return once the tables are written; they do not block on faults.
 *
 * @since 1.0
 */
@ProviderType
public interface VtdIommu {

    /** Service property holding the unit's name, e.g. {@code dmar0}. */
    String NAME_PROPERTY = "faultline.iommu";

    /** The unit's name, {@code dmar0}, {@code dmar1} ... */
    String name();

    /** The PCI segment of the devices behind the unit. */
    int segment();

    /**
     * Attaches {@code (device, pasid)} to {@code domain}, translating through the x86-64 4-level first-level
     * table rooted at {@code firstLevelTable} (a physical address, e.g.
     * {@code dev.faultline.platform.x86.FirstLevelPageTable#root()}). Replaces an earlier attachment of the
     * same device and PASID. Requests without PASID use the attachment at
     * {@link dev.faultline.api.fault.Pasid#NONE} (the context entry's RID_PASID).
     *
     * @param pasid a PASID from 1 to the unit's width, or {@link dev.faultline.api.fault.Pasid#NONE}
     * @throws IllegalArgumentException for a device on another segment, PASID 0 (reserved as RID_PASID) or a
     *     PASID the unit does not support, a table that is not 4 KiB aligned, or an SVA domain (whose faults are
     *     page requests) on a device the firmware describes without PRI (Linux refuses
     *     {@code IOMMU_DEV_FEAT_IOPF} without {@code pri_supported})
     * @throws IllegalStateException once the backend has stopped
     */
    void attach(PciRequesterId device, int pasid, Domain domain, long firstLevelTable);

    /**
     * Gives {@code (device, pasid)} to a guest with nested translation (PGTT 3): the guest owns the first level,
     * rooted at the guest-physical {@code guestFirstLevelTable} (what the guest wrote in its own PASID entry),
     * and the host the 4-level second level at the physical {@code secondLevelTable}, which maps the guest's
     * memory. First-level faults go to the guest's vIOMMU; second-level and table or entry faults stay on the
     * host (printed, rate-limited per guest).
     *
     * @param domain a nested (guest-owned) domain
     * @throws IllegalArgumentException as {@link #attach}, for a domain that is not nested, or tables that are not
     *     4 KiB aligned
     * @throws IllegalStateException once the backend has stopped
     */
    void attachNested(PciRequesterId device, int pasid, Domain domain, long guestFirstLevelTable,
            long secondLevelTable);

    /**
     * As {@link #attachNested(PciRequesterId, int, Domain, long, long)}, with the first-level controls the guest
     * programmed in its own PASID entry carried into the host's nested entry, so that the guest's supervisor
     * requests translate (SRE) and its supervisor writes honour read-only entries (WPE) as the guest asked: without
     * them a guest that enabled supervisor requests would see each one fault on the host.
     *
     * @param firstLevel the guest's first-level table and controls
     * @throws IllegalArgumentException as {@link #attachNested(PciRequesterId, int, Domain, long, long)}
     * @throws IllegalStateException once the backend has stopped
     * @since 1.1
     */
    void attachNested(PciRequesterId device, int pasid, Domain domain, GuestFirstLevel firstLevel,
            long secondLevelTable);

    /**
     * Detaches {@code (device, pasid)}: clears its PASID entry, so its requests fault, and removes the
     * attachment from the core (pending groups stay pending and are answered by their deadline). Does nothing
     * if nothing is attached.
     *
     * @throws IllegalStateException once the backend has stopped
     */
    void detach(PciRequesterId device, int pasid);

    /**
     * Removes the device: clears its context entry and removes it from the core, which answers its pending
     * groups {@code INVALID}. Does nothing for an unknown device.
     *
     * @throws IllegalStateException once the backend has stopped
     */
    void removeDevice(PciRequesterId device);
}
