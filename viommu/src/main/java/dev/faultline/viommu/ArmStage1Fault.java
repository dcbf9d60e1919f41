package dev.faultline.viommu;

import java.util.Optional;

/**
 * Stage-1 walk failures of an Arm VMSAv8-64 4 KiB-granule table and the SMMUv3 event each raises
 * (IHI 0070 §7.3.2-7.3.21, IHI 0070 §7.3.22).
 */
public enum ArmStage1Fault implements FaultReason {
    /** F_WALK_EABT (0x0B): a table descriptor lies outside guest RAM (an external abort on its fetch). */
    WALK_EXTERNAL_ABORT(0x0b, VirtioIommuFault.REASON_UNKNOWN),
    /** F_TRANSLATION (0x10): address outside the TTB0 range, EPD0 set, or an invalid descriptor. */
    TRANSLATION(0x10, VirtioIommuFault.REASON_MAPPING),
    /** F_ADDR_SIZE (0x11): a table or output address beyond the configured output size. */
    ADDRESS_SIZE(0x11, VirtioIommuFault.REASON_MAPPING),
    /** F_ACCESS (0x12): the leaf's access flag is clear and neither HA nor AFFD is set. */
    ACCESS_FLAG(0x12, VirtioIommuFault.REASON_MAPPING),
    /** F_PERMISSION (0x13): the leaf (or a table's hierarchical bits) forbids the access. */
    PERMISSION(0x13, VirtioIommuFault.REASON_MAPPING);

    private final int eventId;
    private final int virtioReason;

    ArmStage1Fault(int eventId, int virtioReason) {
        this.eventId = eventId;
        this.virtioReason = virtioReason;
    }

    /** The SMMUv3 event number. */
    @Override
    public int code() {
        return eventId;
    }

    @Override
    public int virtioReason() {
        return virtioReason;
    }

    /** The walk failure whose SMMUv3 event number is {@code eventId}, if it is one of these. */
    public static Optional<ArmStage1Fault> ofEventId(int eventId) {
        for (ArmStage1Fault f : values()) {
            if (f.eventId == eventId) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
