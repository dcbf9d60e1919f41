package dev.faultline.api.fault;

/**
 * One access permission a faulting transaction asked for. Bit values are Linux's
 * {@code IOMMU_FAULT_PERM_*} ({@code include/linux/iommu.h}).
 */
public enum Permission {
    /** {@code IOMMU_FAULT_PERM_READ}: a read (or the read half of a PRI request). */
    READ(1 << 0),
    /** {@code IOMMU_FAULT_PERM_WRITE}: a write. */
    WRITE(1 << 1),
    /** {@code IOMMU_FAULT_PERM_EXEC}: an instruction fetch. */
    EXEC(1 << 2),
    /** {@code IOMMU_FAULT_PERM_PRIV}: a privileged (not user) access. */
    PRIV(1 << 3);

    private final int bit;

    Permission(int bit) {
        this.bit = bit;
    }

    /** The Linux bit value of this permission. */
    public int bit() {
        return bit;
    }
}
