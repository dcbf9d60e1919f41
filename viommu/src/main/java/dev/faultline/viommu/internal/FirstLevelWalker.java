package dev.faultline.viommu.internal;

import dev.faultline.api.fault.Permissions;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.FirstLevelFault;
import dev.faultline.viommu.GuestMemory;

/**
 * Walks a VT-d first-level table (x86-64 4-level paging: PML4, PDPT, PD, PT) in guest memory and decides the
 * fault reason the access records (VT-d first-level paging, VT-d first-level faults):
 * <ol>
 *   <li>before the walk: an execute request with ERE clear: 0x5C; a privileged request with SRE clear: 0x5D
 *       (the order of §3.11's table); a non-canonical address (bits [63:47] not all equal): 0x80;</li>
 *   <li>for each entry, top down, in the per-entry order §3.11 gives: the PML4 entry outside guest RAM: 0x73,
 *       a lower entry outside guest RAM: 0x70; then P clear: 0x71; a user request and U/S clear: 0x81; a write
 *       and R/W clear (for a supervisor write only when WPE is set): 0x85; an execute request and XD set: 0x82;
 *       a reserved bit set (address bits at or above the address width, PS in a PML4 entry, non-zero bits
 *       [29:13] of a 1 GiB or [20:13] of a 2 MiB page): 0x72;</li>
 *   <li>at the leaf: an output address in the interrupt range 0xFEEx_xxxx: 0x87.</li>
 * </ol>
 * Because U/S, R/W and XD are judged entry by entry, a permission an upper entry withholds is reported before
 * a lower entry is read, as QEMU's walker does (the only order the reference documents).
 *
 * <p>Reads only; never sets accessed or dirty flags. Stateless and thread-safe.
 */
final class FirstLevelWalker {
    private static final long PRESENT = 1L << 0;
    private static final long READ_WRITE = 1L << 1;
    private static final long USER = 1L << 2;
    /** PS: a 1 GiB (PDPT) or 2 MiB (PD) page; reserved in a PML4 entry. */
    private static final long PAGE_SIZE = 1L << 7;
    private static final long EXECUTE_DISABLE = 1L << 63;
    /** Address bits [51:12] of an entry. */
    private static final long ADDRESS = 0x000f_ffff_ffff_f000L;
    private static final int PML4 = 4;
    private static final int PT = 1;
    /** The interrupt address range 0xFEE0_0000 to 0xFEEF_FFFF. */
    private static final long INTERRUPT_BASE = 0xfee0_0000L;
    private static final long INTERRUPT_SIZE = 0x10_0000L;

    private FirstLevelWalker() {
    }

    static Stage1Walk walk(GuestMemory memory, FirstLevelContext context, long address, Permissions access) {
        if (access.exec() && !context.executeRequests()) {
            return Stage1Walk.Failed.beforeWalk(FirstLevelFault.EXECUTE_REQUESTS_DISABLED);
        }
        if (access.priv() && !context.supervisorRequests()) {
            return Stage1Walk.Failed.beforeWalk(FirstLevelFault.SUPERVISOR_REQUESTS_DISABLED);
        }
        if ((address << 16) >> 16 != address) {
            return Stage1Walk.Failed.beforeWalk(FirstLevelFault.NON_CANONICAL);
        }
        long reservedAddressBits = ADDRESS & -(1L << context.addressWidth());
        long table = context.tableRoot();
        for (int level = PML4; ; level--) {
            int shift = 12 + 9 * (level - 1);
            long entryAddress = table + ((address >>> shift) & 0x1ff) * Long.BYTES;
            if (!memory.contains(entryAddress)) {
                return new Stage1Walk.Failed(level == PML4 ? FirstLevelFault.PML4_ACCESS_ERROR
                        : FirstLevelFault.ENTRY_ACCESS_ERROR, level, entryAddress);
            }
            long entry = memory.read64(entryAddress);
            FirstLevelFault fault = check(entry, level, shift, reservedAddressBits, context, access);
            if (fault != null) {
                return new Stage1Walk.Failed(fault, level, entryAddress);
            }
            if (level != PT && (entry & PAGE_SIZE) == 0) {
                table = entry & ADDRESS;
                continue;
            }
            long offsetMask = (1L << shift) - 1;
            long output = (entry & ADDRESS & ~offsetMask) | (address & offsetMask);
            if (output >= INTERRUPT_BASE && output < INTERRUPT_BASE + INTERRUPT_SIZE) {
                return new Stage1Walk.Failed(FirstLevelFault.INTERRUPT_ADDRESS, level, entryAddress);
            }
            return new Stage1Walk.Translated(output, level);
        }
    }

    /** The first check {@code entry} fails, in the per-entry order, or null. */
    private static FirstLevelFault check(long entry, int level, int shift, long reservedAddressBits,
            FirstLevelContext context, Permissions access) {
        if ((entry & PRESENT) == 0) {
            return FirstLevelFault.NOT_PRESENT;
        }
        if (!access.priv() && (entry & USER) == 0) {
            return FirstLevelFault.USER_ACCESS_DENIED;
        }
        if (access.write() && (entry & READ_WRITE) == 0 && (!access.priv() || context.writeProtect())) {
            return FirstLevelFault.WRITE_DENIED;
        }
        if (access.exec() && (entry & EXECUTE_DISABLE) != 0) {
            return FirstLevelFault.EXECUTE_DENIED;
        }
        boolean large = level != PT && (entry & PAGE_SIZE) != 0;
        if ((entry & reservedAddressBits) != 0
                || (large && (level == PML4 || (entry & largePageReserved(shift)) != 0))) {
            return FirstLevelFault.RESERVED_BIT;
        }
        return null;
    }

    /** Bits [shift-1:13] of a large-page entry: below its frame, above the PAT bit (12). */
    private static long largePageReserved(int shift) {
        return ((1L << shift) - 1) & -(1L << 13);
    }
}
