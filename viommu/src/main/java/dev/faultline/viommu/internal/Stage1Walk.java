package dev.faultline.viommu.internal;

import dev.faultline.viommu.FaultReason;

/**
 * The outcome of walking a guest's stage-1 table for one access: the output address, or the failure and where
 * the walk stopped.
 */
sealed interface Stage1Walk permits Stage1Walk.Translated, Stage1Walk.Failed {

    /** The walk reached a leaf that allows the access. */
    record Translated(long outputAddress, int level) implements Stage1Walk {
    }

    /**
     * The walk failed.
     *
     * @param reason the architecture's fault
     * @param level the level of the descriptor that failed, or {@link #BEFORE_WALK}
     * @param descriptorAddress the guest-physical address of that descriptor, or -1 before the walk
     */
    record Failed(FaultReason reason, int level, long descriptorAddress) implements Stage1Walk {
        /** Level of a failure found before any descriptor was read. */
        static final int BEFORE_WALK = -1;

        static Failed beforeWalk(FaultReason reason) {
            return new Failed(reason, BEFORE_WALK, -1);
        }
    }
}
