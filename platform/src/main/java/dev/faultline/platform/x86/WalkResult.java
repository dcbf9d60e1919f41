package dev.faultline.platform.x86;

/**
 * The outcome of one first-level walk: a translation or the fault that stopped it and where.
 *
 * @param fault {@link WalkFault#NONE} when translated
 * @param level the level of the leaf (translated) or of the entry that faulted: 4 = PML4 to 1 = PT;
 *     0 when the walk read no table ({@link WalkFault#NON_CANONICAL})
 * @param outputAddress the physical address the input translates to; 0 on a fault
 * @param pageSize the size of the page the leaf maps (4 KiB, 2 MiB or 1 GiB); 0 on a fault
 * @param entryAddress the physical address of the leaf or of the faulting entry; 0 for a non-canonical input
 */
public record WalkResult(WalkFault fault, int level, long outputAddress, long pageSize, long entryAddress) {

    /** A successful translation. */
    public static WalkResult translated(PagingLevel leaf, long outputAddress, long entryAddress) {
        return new WalkResult(WalkFault.NONE, leaf.number(), outputAddress, leaf.entrySpan(), entryAddress);
    }

    /** A fault at {@code level} (0 before any table). */
    public static WalkResult fault(WalkFault fault, int level, long entryAddress) {
        return new WalkResult(fault, level, 0, 0, entryAddress);
    }

    /** Whether the walk translated the address. */
    public boolean translated() {
        return fault == WalkFault.NONE;
    }
}
