package dev.faultline.viommu.standalone;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.StreamBinder;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.WritableGuestMemory;
import dev.faultline.viommu.internal.StandaloneGuests;
import java.util.function.LongSupplier;

/**
 * A guest's production vIOMMU and guest-programmed virtual SMMUv3 on a plain class path, for simulations, tools
 * and tests that run without a framework: the same objects the {@code VirtualIommus} service opens, with the
 * vIOMMU's rate limiter on the caller's clock. The caller registers {@link #handler()} with its core for the
 * guest's nested domain (with {@code HandlerProperties.GUEST} naming the guest), and its VMM thread delivers the
 * virtual SMMU's events with {@link VirtualSmmuV3#deliver}.
 *
 * <pre>{@code
 * StandaloneGuest vm = new StandaloneGuest("vm1", "vm1-nested", ram, limits, System::nanoTime, binder);
 * core.register(vm.handler(), Map.of(HandlerProperties.DOMAIN, "vm1-nested", HandlerProperties.GUEST, "vm1"));
 * }</pre>
 */
public final class StandaloneGuest {
    private final StandaloneGuests.Parts parts;

    /**
     * A guest named {@code name} whose nested domain is {@code domain}, with its RAM {@code ram}.
     *
     * @param limits the guest's event queue, pending groups and rate limit
     * @param clock nanosecond clock of the vIOMMU's rate limiter
     * @param binder what the VMM does when the guest installs a stream's STE
     */
    public StandaloneGuest(String name, String domain, WritableGuestMemory ram, GuestLimits limits,
            LongSupplier clock, StreamBinder binder) {
        parts = StandaloneGuests.smmuV3Guest(name, domain, ram, limits, clock, binder);
    }

    /** The vIOMMU as the core calls it: the handler of the guest's nested domain. */
    public FaultHandler handler() {
        return parts.handler();
    }

    /** The vIOMMU as the VMM sees it. */
    public VirtualIommu viommu() {
        return parts.viommu();
    }

    /** The virtual SMMUv3 the guest programs. */
    public VirtualSmmuV3 smmu() {
        return parts.smmu();
    }
}
