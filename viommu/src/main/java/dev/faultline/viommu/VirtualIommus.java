package dev.faultline.viommu;

import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The OSGi service through which a VMM gives its guests virtual IOMMUs. Each guest's vIOMMU is registered as
 * the {@link dev.faultline.api.handler.FaultHandler} of the guest's nested domains
 * ({@code faultline.domain}), so the core routes those domains' faults to it.
 *
 * <p>Thread-safe.
 *
 * @since 1.0
 */
@ProviderType
public interface VirtualIommus {

    /**
     * Creates a guest's virtual IOMMU with the configured {@linkplain #defaultLimits() default limits}.
     *
     * @see #create(String, Set, GuestMemory, GuestLimits)
     */
    VirtualIommu create(String guest, Set<String> domains, GuestMemory memory);

    /**
     * Creates a guest's virtual IOMMU and registers it for {@code domains}.
     *
     * @param guest the guest's name, as in its nested domains ({@link dev.faultline.api.backend.Domain#guest()})
     * @param domains the names of the guest's nested domains; at least one
     * @param memory the guest's physical memory, where its stage-1 tables live
     * @param limits the guest's bounds
     * @throws IllegalArgumentException if the name is blank or in use, no domain is given, or a domain already
     *     belongs to another guest
     */
    VirtualIommu create(String guest, Set<String> domains, GuestMemory memory, GuestLimits limits);

    /** The open virtual IOMMU of {@code guest}, if any. */
    Optional<VirtualIommu> guest(String guest);

    /** All open virtual IOMMUs, by name. */
    List<VirtualIommu> guests();

    /**
     * Puts a virtual SMMUv3 that the guest programs itself in front of its virtual IOMMU: the VMM hands it the
     * guest's register accesses and the guest's stream table, CDs and queues are read from (and events written
     * to) {@code memory}.
     *
     * @param guest an open virtual IOMMU of this service
     * @param memory the guest's RAM, the same space {@code guest} reads its tables from
     * @param binder makes a host device follow the STE the guest programmed for it
     * @throws IllegalArgumentException if {@code guest} is not an open virtual IOMMU of this service, or already has
     *     a virtual SMMUv3 (two would take each other's events)
     * @since 1.1
     */
    VirtualSmmuV3 createSmmuV3(VirtualIommu guest, WritableGuestMemory memory, StreamBinder binder);

    /**
     * The virtual SMMUv3 of an open guest, if its VMM created one; it goes when the guest closes.
     *
     * @since 1.1
     */
    Optional<VirtualSmmuV3> smmuV3(String guest);

    /**
     * Puts a virtual VT-d remapping unit that the guest programs itself in front of its virtual IOMMU: the VMM
     * hands it the guest's register accesses, and the guest's scalable-mode tables and queues are read from (and
     * its fault-related records written to) {@code memory}.
     *
     * @param guest an open virtual IOMMU of this service
     * @param memory the guest's RAM, the same space {@code guest} reads its tables from
     * @param binder makes a host device's PASID follow the PASID entry the guest programmed for it
     * @param options the unit's fault recording registers, address width and fault compression
     * @throws IllegalArgumentException if {@code guest} is not an open virtual IOMMU of this service, or already has
     *     a virtual SMMUv3 or VT-d unit (two would take each other's events)
     * @since 1.2
     */
    VirtualVtd createVtd(VirtualIommu guest, WritableGuestMemory memory, PasidBinder binder,
            VirtualVtdOptions options);

    /**
     * The virtual VT-d unit of an open guest, if its VMM created one; it goes when the guest closes.
     *
     * @since 1.2
     */
    Optional<VirtualVtd> vtd(String guest);

    /** The limits {@link #create(String, Set, GuestMemory)} uses: the {@code dev.faultline.viommu} configuration. */
    GuestLimits defaultLimits();
}
