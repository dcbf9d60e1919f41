package dev.faultline.viommu;

import java.util.Optional;

/**
 * VT-d first-level (x86-64 4-level) walk failures and the scalable-mode fault reason each records
 * (VT-d first-level faults; Linux's strings).
 */
public enum FirstLevelFault implements FaultReason {
    /** 0x5C "ERE field is clear in PASID Table Entry": an execute request while ERE = 0 (condition unverified). */
    EXECUTE_REQUESTS_DISABLED(0x5c, VirtioIommuFault.REASON_DOMAIN),
    /** 0x5D "SRE field is clear in PASID Table Entry": a privileged request while SRE = 0. */
    SUPERVISOR_REQUESTS_DISABLED(0x5d, VirtioIommuFault.REASON_DOMAIN),
    /** 0x70 "Error attempting to access first-level paging entry": a lower-level table outside guest RAM. */
    ENTRY_ACCESS_ERROR(0x70, VirtioIommuFault.REASON_UNKNOWN),
    /** 0x71 "Present bit in first-level paging entry is clear". */
    NOT_PRESENT(0x71, VirtioIommuFault.REASON_MAPPING),
    /** 0x72 "Non-zero reserved field set in first-level paging entry". */
    RESERVED_BIT(0x72, VirtioIommuFault.REASON_MAPPING),
    /** 0x73 "Error attempting to access FL-PML4 entry": FLPTR outside guest RAM. */
    PML4_ACCESS_ERROR(0x73, VirtioIommuFault.REASON_UNKNOWN),
    /** 0x80 "Address in first-level translation is not canonical". */
    NON_CANONICAL(0x80, VirtioIommuFault.REASON_MAPPING),
    /** 0x81 "U/S set 0 for first-level translation with user privilege". */
    USER_ACCESS_DENIED(0x81, VirtioIommuFault.REASON_MAPPING),
    /** 0x82 "No execute permission for request with PASID and ER=1" (trigger unverified). */
    EXECUTE_DENIED(0x82, VirtioIommuFault.REASON_MAPPING),
    /** 0x85 "No write permission for Write/AtomicOp request". */
    WRITE_DENIED(0x85, VirtioIommuFault.REASON_MAPPING),
    /** 0x87 "Invalid address-interrupt address": the output lies in the interrupt range 0xFEEx_xxxx. */
    INTERRUPT_ADDRESS(0x87, VirtioIommuFault.REASON_MAPPING);

    private final int reason;
    private final int virtioReason;

    FirstLevelFault(int reason, int virtioReason) {
        this.reason = reason;
        this.virtioReason = virtioReason;
    }

    /** The VT-d fault reason code (FRCD.FR). */
    @Override
    public int code() {
        return reason;
    }

    @Override
    public int virtioReason() {
        return virtioReason;
    }

    /** The walk failure recorded with fault reason {@code code}, if it is one of these. */
    public static Optional<FirstLevelFault> ofCode(int code) {
        for (FirstLevelFault f : values()) {
            if (f.reason == code) {
                return Optional.of(f);
            }
        }
        return Optional.empty();
    }
}
