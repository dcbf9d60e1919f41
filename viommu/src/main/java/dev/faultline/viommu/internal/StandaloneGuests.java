package dev.faultline.viommu.internal;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.StreamBinder;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.WritableGuestMemory;
import java.util.Set;
import java.util.function.LongSupplier;

/** Builds a guest's vIOMMU and virtual SMMUv3 without the framework, for {@code dev.faultline.viommu.standalone}. */
public final class StandaloneGuests {
    private StandaloneGuests() {
    }

    /**
     * A guest's production vIOMMU, which is also the guest domain's handler, and its guest-programmed virtual
     * SMMUv3.
     *
     * @param viommu the vIOMMU as the VMM sees it
     * @param handler the same vIOMMU as the core calls it
     * @param smmu the virtual SMMUv3 the guest programs
     */
    public record Parts(VirtualIommu viommu, FaultHandler handler, VirtualSmmuV3 smmu) {
    }

    /**
     * The parts of a guest named {@code name} whose nested domain is {@code domain}: the vIOMMU's rate limiter reads
     * {@code clock}; the virtual SMMUv3 holds at most {@code limits.maxPendingGroups()} stalls.
     */
    public static Parts smmuV3Guest(String name, String domain, WritableGuestMemory ram, GuestLimits limits,
            LongSupplier clock, StreamBinder binder) {
        GuestViommu viommu = new GuestViommu(name, Set.of(domain), ram, limits, clock, vm -> { });
        return new Parts(viommu, viommu, new GuestSmmuV3(viommu, ram, binder, limits.maxPendingGroups()));
    }
}
