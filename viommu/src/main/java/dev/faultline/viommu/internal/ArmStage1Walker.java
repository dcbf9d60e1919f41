package dev.faultline.viommu.internal;

import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.GuestMemory;

/**
 * Walks an Arm VMSAv8-64 stage-1 table, 4 KiB granule, through TTB0, in guest memory, and decides the SMMUv3
 * event the access raises, in the priority order of IHI 0070 §7.3.22 (IHI 0070 §7.3.22, §2):
 * <ol>
 *   <li>before the walk: EPD0, or input address bits at or above the input size: F_TRANSLATION;</li>
 *   <li>per level: descriptor outside guest RAM: F_WALK_EABT; invalid descriptor (bit 0 clear, a block at
 *       level 0, type 01 at level 3): F_TRANSLATION; next-table or output address at or above the output size:
 *       F_ADDR_SIZE;</li>
 *   <li>at the leaf: access flag clear without HA or AFFD: F_ACCESS; then the permission check: F_PERMISSION.</li>
 * </ol>
 *
 * <p>Permissions (§2.3): AP[1] (bit 6) grants unprivileged access, AP[2] (bit 7) makes the page read-only;
 * an instruction fetch is checked only against UXN (bit 54, unprivileged) or PXN (bit 53, privileged), and a
 * page writable unprivileged is never privileged-executable (implicit PXN, marked unverified in §8). The
 * hierarchical table bits are honoured: APTable[0] (bit 61) removes unprivileged access below, APTable[1]
 * (bit 62) removes write access, PXNTable (59) and UXNTable (60) forbid execution. Output addresses are bits
 * [47:12]; bits [51:48] (RES0 for 4 KiB without LPA2) are ignored.
 *
 * <p>Reads only; never sets access flags. Stateless and thread-safe.
 */
final class ArmStage1Walker {
    private static final long VALID = 1L << 0;
    /** Bit 1: table descriptor at levels 0-2, page descriptor at level 3 (ARM_LPAE_PTE_TYPE_TABLE/PAGE = 3). */
    private static final long TABLE_OR_PAGE = 1L << 1;
    /** ARM_LPAE_PTE_ADDR_MASK: bits [47:12]. */
    private static final long ADDRESS = 0x0000_ffff_ffff_f000L;
    /** ARM_LPAE_PTE_AP_UNPRIV: AP[1]. */
    private static final long AP_UNPRIVILEGED = 1L << 6;
    /** ARM_LPAE_PTE_AP_RDONLY: AP[2]. */
    private static final long AP_READ_ONLY = 1L << 7;
    /** ARM_LPAE_PTE_AF. */
    private static final long ACCESS_FLAG = 1L << 10;
    private static final long PXN = 1L << 53;
    private static final long UXN = 1L << 54;
    private static final long PXN_TABLE = 1L << 59;
    private static final long UXN_TABLE = 1L << 60;
    /** APTable[0]: no unprivileged access at lower levels. */
    private static final long AP_TABLE_NO_UNPRIVILEGED = 1L << 61;
    /** APTable[1]: no write access at lower levels. */
    private static final long AP_TABLE_READ_ONLY = 1L << 62;
    /** Output addresses of a 4 KiB-granule walk without LPA2 have at most 48 bits. */
    private static final int MAX_OUTPUT_BITS = 48;
    private static final int LAST_LEVEL = 3;

    private ArmStage1Walker() {
    }

    static Stage1Walk walk(GuestMemory memory, ArmStage1Context context, long address, Permissions access) {
        if (context.walksDisabled() || address >>> context.inputBits() != 0) {
            return Stage1Walk.Failed.beforeWalk(ArmStage1Fault.TRANSLATION);
        }
        int outputBits = Math.min(context.outputBits(), MAX_OUTPUT_BITS);
        long table = context.tableRoot();
        long tableBits = 0;
        for (int level = context.startLevel(); ; level++) {
            int shift = levelShift(level);
            long descriptorAddress = table + ((address >>> shift) & 0x1ff) * Long.BYTES;
            if (!memory.contains(descriptorAddress)) {
                return new Stage1Walk.Failed(ArmStage1Fault.WALK_EXTERNAL_ABORT, level, descriptorAddress);
            }
            long descriptor = memory.read64(descriptorAddress);
            boolean tableOrPage = (descriptor & TABLE_OR_PAGE) != 0;
            if ((descriptor & VALID) == 0 || (level == 0 && !tableOrPage) || (level == LAST_LEVEL && !tableOrPage)) {
                return new Stage1Walk.Failed(ArmStage1Fault.TRANSLATION, level, descriptorAddress);
            }
            if (level < LAST_LEVEL && tableOrPage) {
                table = descriptor & ADDRESS;
                if (table >>> outputBits != 0) {
                    return new Stage1Walk.Failed(ArmStage1Fault.ADDRESS_SIZE, level, descriptorAddress);
                }
                tableBits |= descriptor & (PXN_TABLE | UXN_TABLE | AP_TABLE_NO_UNPRIVILEGED | AP_TABLE_READ_ONLY);
                continue;
            }
            long offsetMask = (1L << shift) - 1;
            long output = descriptor & ADDRESS & ~offsetMask;
            if (output >>> outputBits != 0) {
                return new Stage1Walk.Failed(ArmStage1Fault.ADDRESS_SIZE, level, descriptorAddress);
            }
            if ((descriptor & ACCESS_FLAG) == 0 && !context.hardwareAccessFlag()
                    && !context.accessFlagFaultsDisabled()) {
                return new Stage1Walk.Failed(ArmStage1Fault.ACCESS_FLAG, level, descriptorAddress);
            }
            if (!permits(descriptor, tableBits, access)) {
                return new Stage1Walk.Failed(ArmStage1Fault.PERMISSION, level, descriptorAddress);
            }
            return new Stage1Walk.Translated(output | (address & offsetMask), level);
        }
    }

    /** Input address bit where level {@code level}'s index starts: 39, 30, 21, 12. */
    private static int levelShift(int level) {
        return 12 + 9 * (LAST_LEVEL - level);
    }

    private static boolean permits(long leaf, long tableBits, Permissions access) {
        boolean privileged = access.priv();
        boolean unprivilegedAccess = (leaf & AP_UNPRIVILEGED) != 0 && (tableBits & AP_TABLE_NO_UNPRIVILEGED) == 0;
        boolean readOnly = (leaf & AP_READ_ONLY) != 0 || (tableBits & AP_TABLE_READ_ONLY) != 0;
        if (access.exec()) {
            boolean executeNever = privileged
                    ? (leaf & PXN) != 0 || (tableBits & PXN_TABLE) != 0 || (unprivilegedAccess && !readOnly)
                    : (leaf & UXN) != 0 || (tableBits & UXN_TABLE) != 0;
            if (executeNever) {
                return false;
            }
        }
        if (access.write()) {
            return !readOnly && (privileged || unprivilegedAccess);
        }
        return access.exec() || privileged || unprivilegedAccess;
    }
}
