package dev.faultline.viommu.internal;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.StreamBinder;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.WritableGuestMemory;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * A guest's production vIOMMU and guest-programmed virtual SMMUv3 on a plain class path, as the deterministic
 * simulation runs them: the vIOMMU's rate limiter on the simulation's clock, registered by the simulation with its
 * core (the vIOMMU is the guest domain's {@link FaultHandler}), and the virtual SMMU's events delivered when the
 * simulation's VMM thread calls {@link VirtualSmmuV3#deliver} with no wait.
 */
public final class SoakGuest {
    private final GuestViommu viommu;
    private final GuestSmmuV3 smmu;

    /**
     * A guest named {@code name} whose nested domain is {@code domain}, with its RAM {@code ram}.
     *
     * @param binder what the VMM does when the guest installs a stream's STE
     */
    public SoakGuest(String name, String domain, WritableGuestMemory ram, GuestLimits limits, LongSupplier clock,
            StreamBinder binder) {
        viommu = new GuestViommu(name, Set.of(domain), ram, limits, clock, vm -> { });
        smmu = new GuestSmmuV3(viommu, ram, binder, limits.maxPendingGroups());
    }

    /** The vIOMMU, the handler the core calls with the guest domain's faults. */
    public FaultHandler handler() {
        return viommu;
    }

    /** The vIOMMU as the VMM sees it. */
    public VirtualIommu viommu() {
        return viommu;
    }

    /** The virtual SMMUv3 the guest programs. */
    public VirtualSmmuV3 smmu() {
        return smmu;
    }
}
