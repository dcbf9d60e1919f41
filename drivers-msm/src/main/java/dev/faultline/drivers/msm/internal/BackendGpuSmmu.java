package dev.faultline.drivers.msm.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.drivers.msm.AdrenoSmmu;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.smmuv3.SmmuDomains;
import java.util.function.Supplier;

/**
 * The GPU's SMMU over the SMMUv3 backend: contexts' tables are attached as unmanaged domains through
 * {@link SmmuDomains}; stall-on-fault is switched through the {@link AdrenoSmmu} the supplier gives (the
 * backend's own switch, {@link SmmuV3StallSwitch}, when it can switch the GPU's stall), when there is one.
 */
final class BackendGpuSmmu implements GpuSmmu {
    private final SmmuDomains domains;
    private final DeviceId device;
    private final Supplier<AdrenoSmmu> adreno;

    BackendGpuSmmu(SmmuDomains domains, DeviceId device, Supplier<AdrenoSmmu> adreno) {
        this.domains = domains;
        this.device = device;
        this.adreno = adreno;
    }

    @Override
    public void attach(int pasid, String domain, TranslationTable table, int asid) {
        domains.attachStage1(device, pasid, Domain.unmanaged(domain), table);
    }

    @Override
    public void detach(int pasid) {
        domains.detach(device, pasid);
    }

    @Override
    public void setStall(boolean enabled) {
        AdrenoSmmu smmu = adreno.get();
        if (smmu != null) {
            smmu.setStall(enabled);
        }
    }

    @Override
    public boolean canSwitchStall() {
        return adreno.get() != null;
    }
}
