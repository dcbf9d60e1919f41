package dev.faultline.drivers.msm.internal;

import dev.faultline.platform.arm.TranslationTable;

/**
 * What the GPU driver asks of the SMMU in front of the GPU ({@code adreno_smmu_priv} and the per-process
 * page table calls): install a context's stage-1 table and switch stall-on-fault. Unmapping needs no call here: the
 * SMMU backend owns TLB maintenance.
 * Implemented over the IOMMU backend.
 */
public interface GpuSmmu {

    /**
     * Translates the GPU's accesses with {@code pasid} through {@code table} with {@code asid}, as domain
     * {@code domain}. With {@link dev.faultline.api.fault.Pasid#NONE} this is the GPU's PASID-less context,
     * which the GPU switches per job when contexts are TTBR-bound (replacing the previous table).
     */
    void attach(int pasid, String domain, TranslationTable table, int asid);

    /** Removes the table at {@code pasid}. */
    void detach(int pasid);

    /**
     * Turns stall-on-fault on or off for the GPU's stream ({@code adreno_smmu->set_stall}): with it on, a
     * faulting access waits for the fault handler's answer; with it off, it is aborted at once.
     */
    void setStall(boolean enabled);

    /** Whether {@link #setStall} has an effect; if not, the SMMU stalls as the machine's firmware says. */
    boolean canSwitchStall();
}
