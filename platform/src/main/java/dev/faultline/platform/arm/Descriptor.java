package dev.faultline.platform.arm;

/**
 * VMSAv8-64 4 KiB-granule descriptor bits (Arm ARM VMSAv8-64; Linux {@code ARM_LPAE_PTE_*} names) and the
 * encodings {@code io-pgtable-arm} writes ({@code arm_lpae_prot_to_pte}).
 */
public final class Descriptor {
    /** Bits [1:0]. */
    public static final long TYPE_MASK = 0b11;
    /** {@code ARM_LPAE_PTE_TYPE_TABLE}: table at levels 0-2. */
    public static final long TYPE_TABLE = 0b11;
    /** {@code ARM_LPAE_PTE_TYPE_PAGE}: page at level 3. */
    public static final long TYPE_PAGE = 0b11;
    /** {@code ARM_LPAE_PTE_TYPE_BLOCK}: block at levels 1-2. */
    public static final long TYPE_BLOCK = 0b01;
    /** {@code ARM_LPAE_PTE_ADDR_MASK}: output / next-table address bits [47:12]. */
    public static final long ADDR_MASK = 0x0000_ffff_ffff_f000L;
    /** {@code ARM_LPAE_PTE_ATTRINDX_SHIFT}: stage-1 AttrIndx [4:2]. */
    public static final int ATTRINDX_SHIFT = 2;
    /** Stage-2 MemAttr [5:2]. */
    public static final long MEMATTR_MASK = 0xfL << 2;
    /** {@code ARM_LPAE_PTE_MEMATTR_OIWB}: Normal, outer and inner write-back. */
    public static final long MEMATTR_OIWB = 0xfL << 2;
    /** {@code ARM_LPAE_PTE_MEMATTR_NC}: Normal non-cacheable. */
    public static final long MEMATTR_NC = 0x5L << 2;
    /** {@code ARM_LPAE_PTE_MEMATTR_DEV}: Device-nGnRE. */
    public static final long MEMATTR_DEV = 0x1L << 2;
    /** {@code ARM_LPAE_PTE_AP_UNPRIV}: AP[1], bit 6: EL0 access. */
    public static final long AP_UNPRIV = 1L << 6;
    /** {@code ARM_LPAE_PTE_AP_RDONLY}: AP[2], bit 7: read-only. */
    public static final long AP_RDONLY = 1L << 7;
    /** {@code ARM_LPAE_PTE_HAP_READ}: S2AP read, bit 6. */
    public static final long HAP_READ = 1L << 6;
    /** {@code ARM_LPAE_PTE_HAP_WRITE}: S2AP write, bit 7. */
    public static final long HAP_WRITE = 2L << 6;
    /** {@code ARM_LPAE_PTE_SH_OS}. */
    public static final long SH_OS = 2L << 8;
    /** {@code ARM_LPAE_PTE_SH_IS}. */
    public static final long SH_IS = 3L << 8;
    /** {@code ARM_LPAE_PTE_AF}: access flag, bit 10. */
    public static final long AF = 1L << 10;
    /** {@code ARM_LPAE_PTE_nG}: not global, bit 11 (stage 1). */
    public static final long NG = 1L << 11;
    /** {@code ARM_LPAE_PTE_DBM}: dirty bit modifier, bit 51. */
    public static final long DBM = 1L << 51;
    /** Stage-1 PXN / stage-2 XN[0], bit 53. */
    public static final long PXN = 1L << 53;
    /** Stage-1 UXN / stage-2 XN[1], bit 54. */
    public static final long UXN = 1L << 54;
    /** {@code ARM_LPAE_PTE_XN}: both execute-never bits. */
    public static final long XN = PXN | UXN;
    /** Table descriptor PXNTable, bit 59. */
    public static final long PXN_TABLE = 1L << 59;
    /** Table descriptor UXNTable, bit 60. */
    public static final long UXN_TABLE = 1L << 60;
    /** Table descriptor APTable[0], bit 61: no EL0 access below. */
    public static final long AP_TABLE_NO_EL0 = 1L << 61;
    /** Table descriptor APTable[1], bit 62: no write access below. */
    public static final long AP_TABLE_RDONLY = 1L << 62;
    /** MAIR index of Normal non-cacheable ({@code ARM_LPAE_MAIR_ATTR_IDX_NC}). */
    public static final int MAIR_IDX_NC = 0;
    /** MAIR index of Normal write-back ({@code ARM_LPAE_MAIR_ATTR_IDX_CACHE}). */
    public static final int MAIR_IDX_CACHE = 1;
    /** MAIR index of Device-nGnRE ({@code ARM_LPAE_MAIR_ATTR_IDX_DEV}). */
    public static final int MAIR_IDX_DEV = 2;
    /** The MAIR value Linux programs into CDs: {@code 0x00000000f404ff44} (Arm ARM stage-1 attributes). */
    public static final long LINUX_MAIR = 0x0000_0000_f404_ff44L;

    private Descriptor() {
    }

    /** The shift of the input bits a level indexes: {@code 12 + 9 * (3 - level)} ({@code ARM_LPAE_LVL_SHIFT}). */
    public static int levelShift(int level) {
        return 12 + 9 * (3 - level);
    }

    /** The size one entry of {@code level} maps: 512 GiB, 1 GiB, 2 MiB, 4 KiB. */
    public static long entrySize(int level) {
        return 1L << levelShift(level);
    }

    /** A table descriptor pointing at {@code next}. */
    public static long table(long next) {
        return (next & ADDR_MASK) | TYPE_TABLE;
    }

    /**
     * The leaf descriptor {@code io-pgtable-arm} writes for {@code prot} (Linux {@code arm_lpae_prot_to_pte}).
     *
     * @param stage the stage
     * @param level 1 or 2 for a block, 3 for a page
     * @param output the output address, aligned to the leaf size
     * @param prot {@link Protection} bits
     */
    public static long leaf(Stage stage, int level, long output, int prot) {
        Protection.require(prot);
        long pte;
        if (stage == Stage.STAGE1) {
            pte = NG;
            if ((prot & Protection.WRITE) == 0 && (prot & Protection.READ) != 0) {
                pte |= AP_RDONLY;
            }
            if ((prot & Protection.PRIV) == 0) {
                pte |= AP_UNPRIV;
            }
            int index = (prot & Protection.MMIO) != 0 ? MAIR_IDX_DEV
                    : (prot & Protection.CACHE) != 0 ? MAIR_IDX_CACHE : MAIR_IDX_NC;
            pte |= (long) index << ATTRINDX_SHIFT;
        } else {
            pte = 0;
            if ((prot & Protection.READ) != 0) {
                pte |= HAP_READ;
            }
            if ((prot & Protection.WRITE) != 0) {
                pte |= HAP_WRITE;
            }
            pte |= (prot & Protection.MMIO) != 0 ? MEMATTR_DEV
                    : (prot & Protection.CACHE) != 0 ? MEMATTR_OIWB : MEMATTR_NC;
        }
        pte |= (prot & Protection.CACHE) != 0 ? SH_IS : SH_OS;
        if ((prot & Protection.NOEXEC) != 0) {
            pte |= XN;
        }
        pte |= AF;
        pte |= level == 3 ? TYPE_PAGE : TYPE_BLOCK;
        return pte | (output & ADDR_MASK);
    }

    /** Whether bit 0 (valid) is set. */
    public static boolean valid(long descriptor) {
        return (descriptor & 1) != 0;
    }

    /** Whether {@code descriptor} at {@code level} is a table descriptor. */
    public static boolean isTable(long descriptor, int level) {
        return level < 3 && (descriptor & TYPE_MASK) == TYPE_TABLE;
    }
}
