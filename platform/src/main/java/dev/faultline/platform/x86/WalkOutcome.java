package dev.faultline.platform.x86;

/**
 * A reusable carrier for the outcome of a first-level walk: what {@link WalkResult} holds, written in place by
 * {@link FirstLevelWalker#walk(long, long, int, WalkOutcome)} and
 * {@link FirstLevelWalker#walkNested(long, long, int, SecondLevelWalker, long, WalkOutcome)}, so that a remapping
 * unit walking for every access allocates nothing. Valid until the next walk into it; {@link #result()} gives the
 * immutable value. A new carrier holds a {@link WalkFault#NON_CANONICAL} fault at level 0 until its first walk.
 *
 * <p>Not thread-safe: one carrier per walking thread (or per lock).
 *
 * @since 1.1
 */
public final class WalkOutcome {
    private WalkFault fault = WalkFault.NON_CANONICAL;
    private int level;
    private long outputAddress;
    private long pageSize;
    private long entryAddress;

    /** Whether the walk translated the address. */
    public boolean translated() {
        return fault == WalkFault.NONE;
    }

    /** The fault, {@link WalkFault#NONE} when translated ({@link WalkResult#fault()}). */
    public WalkFault fault() {
        return fault;
    }

    /** The level of the leaf or of the faulting entry, 4 = PML4 to 1 = PT; 0 before any table. */
    public int level() {
        return level;
    }

    /** The physical address the input translates to; 0 on a fault. */
    public long outputAddress() {
        return outputAddress;
    }

    /** The size of the page the leaf maps (4 KiB, 2 MiB or 1 GiB); 0 on a fault. */
    public long pageSize() {
        return pageSize;
    }

    /** The physical address of the leaf or of the faulting entry; 0 for a non-canonical input. */
    public long entryAddress() {
        return entryAddress;
    }

    /** The outcome as an immutable value. */
    public WalkResult result() {
        return new WalkResult(fault, level, outputAddress, pageSize, entryAddress);
    }

    boolean translated(PagingLevel leaf, long output, long leafAddress) {
        fault = WalkFault.NONE;
        level = leaf.number();
        outputAddress = output;
        pageSize = leaf.entrySpan();
        entryAddress = leafAddress;
        return true;
    }

    boolean fault(WalkFault kind, int atLevel, long faultingEntryAddress) {
        fault = kind;
        level = atLevel;
        outputAddress = 0;
        pageSize = 0;
        entryAddress = faultingEntryAddress;
        return false;
    }
}
