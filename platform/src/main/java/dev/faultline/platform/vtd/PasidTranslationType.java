package dev.faultline.platform.vtd;

import org.jspecify.annotations.Nullable;

/**
 * PASID-entry PGTT values (VT-d scalable-mode entries; Linux {@code PASID_ENTRY_PGTT_*}). Other values are invalid
 * (fault 0x5B).
 */
public enum PasidTranslationType {
    /** 1 {@code PASID_ENTRY_PGTT_FL_ONLY}: first-level translation only. */
    FIRST_LEVEL(1),
    /** 2 {@code PASID_ENTRY_PGTT_SL_ONLY}: second-level only. */
    SECOND_LEVEL(2),
    /** 3 {@code PASID_ENTRY_PGTT_NESTED}: first level nested over second level. */
    NESTED(3),
    /** 4 {@code PASID_ENTRY_PGTT_PT}: pass-through. */
    PASS_THROUGH(4);

    private final int code;

    PasidTranslationType(int code) {
        this.code = code;
    }

    /** The PGTT value. */
    public int code() {
        return code;
    }

    /** The type of a PGTT value, or {@code null} if it is invalid. */
    public static @Nullable PasidTranslationType of(int pgtt) {
        for (PasidTranslationType type : values()) {
            if (type.code == pgtt) {
                return type;
            }
        }
        return null;
    }
}
