package dev.faultline.platform.arm;

/**
 * Mapping protections, with Linux's {@code IOMMU_*} prot values ({@code include/linux/iommu.h}), as
 * {@code io-pgtable-arm} turns them into descriptors (Arm ARM stage-1 and stage-2 attributes).
 */
public final class Protection {
    /** {@code IOMMU_READ}. */
    public static final int READ = 1 << 0;
    /** {@code IOMMU_WRITE}. */
    public static final int WRITE = 1 << 1;
    /** {@code IOMMU_CACHE}: cacheable, inner shareable. */
    public static final int CACHE = 1 << 2;
    /** {@code IOMMU_NOEXEC}: sets both XN bits. */
    public static final int NOEXEC = 1 << 3;
    /** {@code IOMMU_MMIO}: device memory. */
    public static final int MMIO = 1 << 4;
    /** {@code IOMMU_PRIV}: stage 1 only, privileged access only (AP[1] = 0). */
    public static final int PRIV = 1 << 5;
    /** Every defined bit. */
    public static final int MASK = READ | WRITE | CACHE | NOEXEC | MMIO | PRIV;
    /** Read/write cacheable: the usual DMA mapping. */
    public static final int READ_WRITE = READ | WRITE | CACHE;

    private Protection() {
    }

    /**
     * Checks {@code prot}.
     *
     * @throws IllegalArgumentException for bits outside {@link #MASK}
     */
    public static int require(int prot) {
        if ((prot & ~MASK) != 0) {
            throw new IllegalArgumentException("protection 0x" + Integer.toHexString(prot)
                    + " has bits outside READ|WRITE|CACHE|NOEXEC|MMIO|PRIV");
        }
        return prot;
    }
}
