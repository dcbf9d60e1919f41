package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.drivers.msm.AdrenoSmmu;
import dev.faultline.smmuv3.SmmuDomains;

/**
 * The GPU's stall switch on an SMMUv3 ({@code adreno_smmu_priv.set_stall} over {@link SmmuDomains#setStall}):
 * CD.S of every context descriptor of the GPU's stream and the STE's S1STALLD, each change invalidated with
 * CMD_CFGI_CD / CMD_CFGI_STE and CMD_SYNC by the backend.
 */
final class SmmuV3StallSwitch implements AdrenoSmmu {
    private final SmmuDomains domains;
    private final DeviceId device;

    SmmuV3StallSwitch(SmmuDomains domains, DeviceId device) {
        this.domains = domains;
        this.device = device;
    }

    /**
     * Whether the backend can switch the GPU's stall now: the GPU is behind it, its firmware node says it can
     * stall, and the SMMU's STALL_MODEL is "stall and terminate" ({@link SmmuDomains#canSwitchStall}).
     */
    boolean available() {
        try {
            return domains.canSwitchStall(device);
        } catch (IllegalArgumentException | IllegalStateException notThere) {
            return false; // the GPU is not (or no longer) behind it, or the driver stopped
        }
    }

    @Override
    public DeviceId device() {
        return device;
    }

    @Override
    public void setStall(boolean enabled) {
        try {
            domains.setStall(device, enabled);
        } catch (IllegalStateException stopped) {
            // the SMMUv3 driver stopped, and this GPU with it; the successor starts from the firmware's setting
            // and the GPU's next instance sets its own
        }
    }
}
