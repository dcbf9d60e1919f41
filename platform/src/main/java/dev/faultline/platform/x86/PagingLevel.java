package dev.faultline.platform.x86;

import org.jspecify.annotations.Nullable;

/**
 * The four levels of x86-64 4-level paging (VT-d first-level paging): which input-address bits index each table and
 * what a leaf at that level maps. Numbered as the walk reports them: 4 = PML4 down to 1 = PT.
 */
public enum PagingLevel {
    /** Page table, index bits [20:12]; leaves map 4 KiB. */
    PT(1, 12),
    /** Page directory, index bits [29:21]; a PS = 1 leaf maps 2 MiB. */
    PD(2, 21),
    /** Page-directory-pointer table, index bits [38:30]; a PS = 1 leaf maps 1 GiB (needs CAP.FL1GP). */
    PDPT(3, 30),
    /** PML4, index bits [47:39]; PS must be 0. */
    PML4(4, 39);

    /** Every level, PT first (one array for the walkers, not a fresh copy per step). */
    private static final PagingLevel[] LEVELS = values();

    private final int number;
    private final int shift;

    PagingLevel(int number, int shift) {
        this.number = number;
        this.shift = shift;
    }

    /** 4 for PML4 down to 1 for PT. */
    public int number() {
        return number;
    }

    /** The lowest input-address bit of this level's index. */
    public int shift() {
        return shift;
    }

    /** The 9-bit index of {@code address} in a table of this level. */
    public int index(long address) {
        return (int) (address >>> shift) & 0x1ff;
    }

    /** The bytes one entry of this level covers (and a leaf maps). */
    public long entrySpan() {
        return 1L << shift;
    }

    /** The next level down, or {@code null} below PT. */
    public @Nullable PagingLevel below() {
        return this == PT ? null : LEVELS[ordinal() - 1];
    }

    /** The level with number 1 to 4. */
    public static PagingLevel of(int number) {
        if (number < 1 || number > 4) {
            throw new IllegalArgumentException("paging level " + number + " is outside 1 (PT) to 4 (PML4)");
        }
        return LEVELS[number - 1];
    }
}
