package dev.faultline.platform.x86;

import dev.faultline.platform.memory.PhysicalMemory;

/**
 * Translates guest-physical addresses through a VT-d 4-level second-level table (48-bit input), as the
 * second stage of nested translation does: R and W accumulate over the levels (a level without W denies
 * writes), an entry without R, W and X is not present, PS in an SL-PML4E and address bits at or above the
 * physical width are reserved. The walk sets no A/D bits (SLADE is not modelled).
 *
 * <p>The result of the last {@link #translate} is kept in this object ({@link #fault()}, {@link #output()}),
 * so the model's walk allocates nothing: one walker per caller, used under the caller's lock.
 */
public final class SecondLevelWalker {
    /** The input width of a 4-level second level. */
    public static final int INPUT_BITS = 48;

    /** Why a second-level translation failed. */
    public enum Fault {
        /** It translated. */
        NONE,
        /** The input is at or above 2^48 (VT-d 0x84 for the output, 0x74 for a first-level table). */
        BEYOND_WIDTH,
        /** A second-level entry could not be fetched (0x78). */
        TABLE_ACCESS,
        /** Not present, or the access needs R or W that a level lacks (0x79; 0x75-0x77 for a first-level table). */
        PERMISSION,
        /** A reserved bit is set (0x7A). */
        RESERVED
    }

    private final PhysicalMemory memory;
    private final int addressWidth;
    private final long memoryTop;
    private final boolean oneGigabytePages;
    private Fault fault = Fault.NONE;
    private long output;

    /**
     * A walker over {@code memory}.
     *
     * @param addressWidth the host physical width: entry address bits at or above it are reserved
     * @param memoryTop the end of installed memory: an entry at or above it cannot be fetched
     * @param oneGigabytePages whether PS is allowed in an SL-PDPE
     */
    public SecondLevelWalker(PhysicalMemory memory, int addressWidth, long memoryTop, boolean oneGigabytePages) {
        this.memory = memory;
        this.addressWidth = addressWidth;
        this.memoryTop = memoryTop;
        this.oneGigabytePages = oneGigabytePages;
    }

    /**
     * Translates {@code gpa} for a read, or a write, through the table at {@code root}.
     *
     * @return whether it translated; {@link #output()} or {@link #fault()} tells the rest
     */
    public boolean translate(long root, long gpa, boolean write) {
        output = 0;
        if ((gpa >>> INPUT_BITS) != 0) {
            return fail(Fault.BEYOND_WIDTH);
        }
        long need = write ? SecondLevelEntry.WRITE : SecondLevelEntry.READ;
        long table = root & SecondLevelEntry.ADDRESS_MASK;
        PagingLevel level = PagingLevel.PML4;
        while (true) {
            long entryAddress = table + level.index(gpa) * 8L;
            if (entryAddress >= memoryTop) {
                return fail(Fault.TABLE_ACCESS);
            }
            long entry = memory.read64(entryAddress);
            if (!SecondLevelEntry.present(entry) || (entry & need) == 0) {
                return fail(Fault.PERMISSION);
            }
            boolean large = (entry & SecondLevelEntry.PAGE_SIZE) != 0;
            if (((entry & SecondLevelEntry.ADDRESS_MASK) >>> addressWidth) != 0 || (large && reservedLarge(entry,
                    level))) {
                return fail(Fault.RESERVED);
            }
            if (level == PagingLevel.PT || large) {
                long span = level.entrySpan();
                output = (entry & SecondLevelEntry.ADDRESS_MASK & -span) | (gpa & (span - 1));
                fault = Fault.NONE;
                return true;
            }
            table = entry & SecondLevelEntry.ADDRESS_MASK;
            level = level.below();
        }
    }

    private boolean reservedLarge(long entry, PagingLevel level) {
        return switch (level) {
            case PML4 -> true;
            case PDPT -> !oneGigabytePages || (entry & (level.entrySpan() - 1) & ~0xfffL) != 0;
            case PD -> (entry & (level.entrySpan() - 1) & ~0xfffL) != 0;
            case PT -> false;
        };
    }

    private boolean fail(Fault why) {
        fault = why;
        return false;
    }

    /** Why the last translation failed, or {@link Fault#NONE}. */
    public Fault fault() {
        return fault;
    }

    /** The host physical address of the last successful translation. */
    public long output() {
        return output;
    }
}
