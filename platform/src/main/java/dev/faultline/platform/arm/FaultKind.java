package dev.faultline.platform.arm;

/**
 * Why a VMSAv8-64 walk failed (IHI 0070 §7.3.22), in the order the architecture checks them within one stage
 * (IHI 0070 §7.3.22): input range, then per level external abort, translation, address size; then the access
 * flag and the permissions of the final descriptor.
 */
public enum FaultKind {
    /** Input outside the configured range, EPD set, invalid descriptor, level-0 block or level-3 type 01. SMMU F_TRANSLATION. */
    TRANSLATION,
    /** A table or output address at or above 2^(effective output size). SMMU F_ADDR_SIZE. */
    ADDRESS_SIZE,
    /** The final descriptor has AF = 0 and neither hardware update nor AFFD applies. SMMU F_ACCESS. */
    ACCESS_FLAG,
    /** The final descriptor (or hierarchical table bits) does not allow the access. SMMU F_PERMISSION. */
    PERMISSION,
    /** The read (or hardware update) of a descriptor got an external abort. SMMU F_WALK_EABT. */
    EXTERNAL_ABORT,
    /**
     * Translating a table address through the next stage failed (nested walks: a stage-1 descriptor's IPA
     * faulted at stage 2); the caller's translator holds the details.
     */
    TABLE_ADDRESS
}
