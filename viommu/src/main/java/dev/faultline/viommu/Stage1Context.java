package dev.faultline.viommu;

/**
 * How the guest configured stage-1 translation for one virtual device and PASID: the format of its tables and
 * where their root lies in guest memory. The VMM sets it when it emulates the guest's context descriptor or
 * PASID-table entry (on the guest's configuration invalidation), typically with {@link ArmStage1Context#readCd}
 * or {@link FirstLevelContext#readPasidEntry}.
 */
public sealed interface Stage1Context permits ArmStage1Context, FirstLevelContext {

    /** The guest-physical address of the top-level table. */
    long tableRoot();
}
