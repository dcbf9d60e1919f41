package dev.faultline.viommu;

import dev.faultline.api.fault.DeviceId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * The VMM's side of a {@link VirtualSmmuV3}: makes a host device follow what the guest programmed for its
 * virtual stream. Typically a nested attach through the SMMUv3 backend
 * ({@code SmmuDomains.attachNested(device, Domain.nested(domain, guest), new GuestStage1(ste.contextTable(),
 * ste.s1Fmt(), ste.s1CdMax(), ste.s1Dss()), stage2)}) for {@link VirtualSte.Mode#STAGE1}, a detach for
 * {@link VirtualSte.Mode#ABORT}.
 *
 * <p>Called only with entries the virtual SMMUv3 validated, and only when the entry changed: re-binding the
 * same entry would be a change of owner for the host, which answers the guest's pending groups.
 *
 * @since 1.1
 */
@ConsumerType
@FunctionalInterface
public interface StreamBinder {

    /**
     * Makes {@code device} follow {@code ste}. Called from the guest's register writes (a vCPU's MMIO trap),
     * never from the fault path; it may block for the host's barrier.
     *
     * @throws RuntimeException if the host refuses; the virtual SMMUv3 then counts a refused entry and the
     *     stream is left aborting
     */
    void bind(DeviceId device, VirtualSte ste);
}
