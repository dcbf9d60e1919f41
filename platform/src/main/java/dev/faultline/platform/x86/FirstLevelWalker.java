package dev.faultline.platform.x86;

import dev.faultline.platform.memory.PhysicalMemory;
import org.jspecify.annotations.Nullable;

/**
 * Walks x86-64 4-level first-level tables bit-exactly as VT-d first-level translation does
 * (VT-d first-level paging, VT-d first-level faults), setting A on every entry used and D on the leaf of a write.
 *
 * <p>Checks per entry, in QEMU's order (VT-d first-level faults): P, then U/S for user requests, then R/W for
 * writes (user requests, or supervisor requests with write protection), then XD for execute requests, then
 * the reserved bits. The canonical check comes before the walk. Permissions accumulate as on x86: the first
 * level that denies reports the fault.
 *
 * <p>Thread-safe: reads each entry atomically and updates A/D with compare-and-set, so builders may change the
 * tables concurrently.
 */
public final class FirstLevelWalker {
    /** Request flag: the access writes. */
    public static final int WRITE = 1;
    /** Request flag: the access is an instruction fetch (PCIe ER). */
    public static final int EXECUTE = 1 << 1;
    /** Request flag: a supervisor request (PCIe PMR = 1); without it the request is a user request. */
    public static final int SUPERVISOR = 1 << 2;
    /** Request flag: write protection for supervisor requests (PASID-entry WPE). */
    public static final int WRITE_PROTECT = 1 << 3;

    /** The interrupt address range 0xFEE0_0000 to 0xFEEF_FFFF (VT-d first-level faults, 0x87). */
    private static final long INTERRUPT_BASE = 0xfee0_0000L;
    private static final long INTERRUPT_MASK = ~0xf_ffffL;

    private final PhysicalMemory memory;
    private final int addressWidth;
    private final long memoryTop;
    private final boolean oneGigabytePages;

    /**
     * A walker over {@code memory}.
     *
     * @param addressWidth the physical address width: entry address bits at or above it are reserved (VT-d HAW)
     * @param memoryTop the end of installed memory: fetching a table entry at or above it is an access error
     * @param oneGigabytePages whether PS = 1 is allowed in a PDPT entry (CAP.FL1GP)
     * @throws IllegalArgumentException for a width outside [32, 52] or a memory top beyond the width
     */
    public FirstLevelWalker(PhysicalMemory memory, int addressWidth, long memoryTop, boolean oneGigabytePages) {
        if (addressWidth < 32 || addressWidth > PhysicalMemory.ADDRESS_BITS) {
            throw new IllegalArgumentException("physical address width " + addressWidth + " is outside [32, 52]");
        }
        if (memoryTop <= 0 || memoryTop > 1L << addressWidth) {
            throw new IllegalArgumentException(String.format(
                    "memory top 0x%x must be positive and within the %d-bit width", memoryTop, addressWidth));
        }
        this.memory = memory;
        this.addressWidth = addressWidth;
        this.memoryTop = memoryTop;
        this.oneGigabytePages = oneGigabytePages;
    }

    /**
     * Translates {@code address} through the tables rooted at {@code root} (the PML4's physical address).
     *
     * @param request {@link #WRITE}, {@link #EXECUTE}, {@link #SUPERVISOR}, {@link #WRITE_PROTECT}
     */
    public WalkResult walk(long root, long address, int request) {
        WalkOutcome out = new WalkOutcome();
        walk(root, address, request, null, 0, out);
        return out.result();
    }

    /**
     * {@link #walk(long, long, int)} into a reusable carrier instead of a new {@link WalkResult}: allocates nothing.
     *
     * @param out where the outcome goes (overwritten)
     * @return whether the walk translated ({@code out.translated()})
     * @since 1.1
     */
    public boolean walk(long root, long address, int request, WalkOutcome out) {
        return walk(root, address, request, null, 0, out);
    }

    /**
     * Nested translation (PGTT 3): {@code root} and every first-level entry's address are guest-physical, and
     * each first-level entry read, each A/D update and the output go through the second level at
     * {@code secondLevelRoot}. A refusal there is a {@link WalkFault#SECOND_LEVEL_TABLE},
     * {@link WalkFault#SECOND_LEVEL_TABLE_UPDATE} or {@link WalkFault#SECOND_LEVEL_OUTPUT} whose cause
     * {@code secondLevel} keeps; the output of a translation is host physical.
     *
     * @param secondLevel the second-level walker, used under the caller's lock
     */
    public WalkResult walkNested(long root, long address, int request, SecondLevelWalker secondLevel,
            long secondLevelRoot) {
        WalkOutcome out = new WalkOutcome();
        walk(root, address, request, secondLevel, secondLevelRoot, out);
        return out.result();
    }

    /**
     * {@link #walkNested(long, long, int, SecondLevelWalker, long)} into a reusable carrier: allocates nothing.
     *
     * @param out where the outcome goes (overwritten)
     * @return whether the walk translated ({@code out.translated()})
     * @since 1.1
     */
    public boolean walkNested(long root, long address, int request, SecondLevelWalker secondLevel,
            long secondLevelRoot, WalkOutcome out) {
        return walk(root, address, request, secondLevel, secondLevelRoot, out);
    }

    private boolean walk(long root, long address, int request, @Nullable SecondLevelWalker secondLevel,
            long secondLevelRoot, WalkOutcome out) {
        long signExtension = address >> 47;
        if (signExtension != 0 && signExtension != -1) {
            return out.fault(WalkFault.NON_CANONICAL, 0, 0);
        }
        boolean write = (request & WRITE) != 0;
        boolean user = (request & SUPERVISOR) == 0;
        boolean writeChecked = user || (request & WRITE_PROTECT) != 0;
        boolean execute = (request & EXECUTE) != 0;
        long table = root & PagingEntry.ADDRESS_MASK;
        PagingLevel level = PagingLevel.PML4;
        while (true) {
            long entryGpa = table + level.index(address) * 8L;
            long entryAddress = entryGpa;
            if (secondLevel != null) {
                if (!secondLevel.translate(secondLevelRoot, entryGpa, false)) {
                    return out.fault(WalkFault.SECOND_LEVEL_TABLE, level.number(), entryGpa);
                }
                entryAddress = secondLevel.output();
            }
            if (entryAddress >= memoryTop) {
                return out.fault(WalkFault.TABLE_ACCESS, level.number(), entryAddress);
            }
            long entry = memory.read64(entryAddress);
            WalkFault fault = check(entry, level, write && writeChecked, user, execute);
            if (fault != WalkFault.NONE) {
                return out.fault(fault, level.number(), entryAddress);
            }
            boolean leaf = level == PagingLevel.PT || (entry & PagingEntry.PAGE_SIZE) != 0;
            long update = entry | PagingEntry.ACCESSED | (leaf && write ? PagingEntry.DIRTY : 0);
            if (update != entry && secondLevel != null && !secondLevel.translate(secondLevelRoot, entryGpa, true)) {
                return out.fault(WalkFault.SECOND_LEVEL_TABLE_UPDATE, level.number(), entryGpa);
            }
            if (update != entry && !memory.compareAndSet(entryAddress, entry, update)) {
                continue; // the entry changed under the walk: check it again
            }
            if (leaf) {
                long span = level.entrySpan();
                long output = (entry & PagingEntry.ADDRESS_MASK & -span) | (address & (span - 1));
                if ((output & INTERRUPT_MASK) == INTERRUPT_BASE) {
                    return out.fault(WalkFault.INTERRUPT_ADDRESS, level.number(), entryAddress);
                }
                if (secondLevel != null) {
                    if (!secondLevel.translate(secondLevelRoot, output, write)) {
                        return out.fault(WalkFault.SECOND_LEVEL_OUTPUT, level.number(), entryAddress);
                    }
                    output = secondLevel.output();
                }
                return out.translated(level, output, entryAddress);
            }
            table = entry & PagingEntry.ADDRESS_MASK;
            level = level.below();
        }
    }

    private WalkFault check(long entry, PagingLevel level, boolean checkWrite, boolean user, boolean execute) {
        if ((entry & PagingEntry.PRESENT) == 0) {
            return WalkFault.NOT_PRESENT;
        }
        if (user && (entry & PagingEntry.USER) == 0) {
            return WalkFault.USER;
        }
        if (checkWrite && (entry & PagingEntry.WRITABLE) == 0) {
            return WalkFault.WRITE;
        }
        if (execute && (entry & PagingEntry.EXECUTE_DISABLE) != 0) {
            return WalkFault.EXECUTE;
        }
        return reservedBitsSet(entry, level) ? WalkFault.RESERVED : WalkFault.NONE;
    }

    private boolean reservedBitsSet(long entry, PagingLevel level) {
        if (((entry & PagingEntry.ADDRESS_MASK) >>> addressWidth) != 0) {
            return true;
        }
        boolean large = (entry & PagingEntry.PAGE_SIZE) != 0;
        return switch (level) {
            case PML4 -> large;
            case PDPT -> large && (!oneGigabytePages || (entry & largeFrameReserved(level)) != 0);
            case PD -> large && (entry & largeFrameReserved(level)) != 0;
            case PT -> false;
        };
    }

    /** Bits [span-1:13] of a large leaf: between its PAT bit (12) and its frame. */
    private static long largeFrameReserved(PagingLevel level) {
        return (level.entrySpan() - 1) & ~0x1fffL;
    }
}
