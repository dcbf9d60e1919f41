package dev.faultline.viommu.internal;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permission;
import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.FaultReason;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.Stage1Context;
import dev.faultline.viommu.UnresolvedFault;

/** Walks a guest's stage-1 table with the walker of its format, and names the reason the walk gives. */
final class GuestTableWalker {
    /** READ | WRITE: what a request without PASID can ask for. */
    private static final int PLAIN_ACCESS = Permission.READ.bit() | Permission.WRITE.bit();

    private GuestTableWalker() {
    }

    /**
     * Walks {@code context}'s table for an access of {@code permissions} at {@code address} by a transaction
     * with {@code pasid}. For VT-d, a transaction without PASID is a plain user read or write: PCIe carries the
     * execute-requested and privileged-mode bits only in the PASID prefix.
     */
    static Stage1Walk walk(GuestMemory memory, Stage1Context context, int pasid, long address,
            Permissions permissions) {
        if (context instanceof ArmStage1Context arm) {
            return ArmStage1Walker.walk(memory, arm, address, permissions);
        }
        Permissions access = pasid == Pasid.NONE ? Permissions.of(permissions.bits() & PLAIN_ACCESS) : permissions;
        return FirstLevelWalker.walk(memory, (FirstLevelContext) context, address, access);
    }

    /** The reason a walk gives: its failure, or {@link UnresolvedFault#WALK_SUCCEEDS}. */
    static FaultReason reason(Stage1Walk walk) {
        return walk instanceof Stage1Walk.Failed failed ? failed.reason() : UnresolvedFault.WALK_SUCCEEDS;
    }
}
