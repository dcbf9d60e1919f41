package dev.faultline.drivers.msm;

import dev.faultline.api.fault.DeviceId;
import org.osgi.annotation.versioning.ConsumerType;

/**
 * What the SMMU in front of an Adreno GPU offers the GPU driver beyond attaching tables: Linux's
 * {@code struct adreno_smmu_priv} ({@code include/linux/adreno-smmu-priv.h}), which the IOMMU driver fills
 * in for the GPU. On the SMMUv3 backend the GPU driver implements it itself over
 * {@code dev.faultline.smmuv3.SmmuDomains#setStall} (CD.S, STE.S1STALLD); another SMMU backend offers it by
 * registering it as a service with the GPU's {@link dev.faultline.api.handler.HandlerProperties#DEVICE
 * faultline.device} property.
 *
 * <p>Without it the GPU driver cannot switch stall-on-fault: the SMMU then stalls, or not, as the machine's
 * firmware says ({@code dma-can-stall}), and the cooldown is only tracked.
 *
 * @since 1.0
 */
@ConsumerType
public interface AdrenoSmmu {

    /** The GPU this serves. */
    DeviceId device();

    /**
     * Turns stall-on-fault on or off for the GPU's stream ({@code set_stall}: SMMUv2 SCTLR.CFCFG, SMMUv3 CD.S
     * of the GPU's context descriptors). Transactions already stalled stay stalled until answered. Called
     * from the fault thread: must not block for long.
     */
    void setStall(boolean enabled);
}
