package dev.faultline.viommu.internal;

import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.FaultReason;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.Stage1Context;
import dev.faultline.viommu.UnresolvedFault;

/** Walks a guest's stage-1 table with the walker of its format, and names the reason the walk gives. */
final class GuestTableWalker {

    private GuestTableWalker() {
    }

    /** Walks {@code context}'s table for an access of {@code permissions} at {@code address}. */
    static Stage1Walk walk(GuestMemory memory, Stage1Context context, long address, Permissions permissions) {
        if (context instanceof ArmStage1Context arm) {
            return ArmStage1Walker.walk(memory, arm, address, permissions);
        }
        return FirstLevelWalker.walk(memory, (FirstLevelContext) context, address, permissions);
    }

    /** The reason a walk gives: its failure, or {@link UnresolvedFault#WALK_SUCCEEDS}. */
    static FaultReason reason(Stage1Walk walk) {
        return walk instanceof Stage1Walk.Failed failed ? failed.reason() : UnresolvedFault.WALK_SUCCEEDS;
    }
}
