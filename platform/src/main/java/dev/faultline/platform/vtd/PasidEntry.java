package dev.faultline.platform.vtd;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * A scalable-mode PASID table entry (VT-d scalable-mode entries; Linux {@code struct pasid_entry}, {@code val[8]}):
 * 64 bytes at SMPTBLPTR + 64 × (PASID &amp; 0x3F). Immutable.
 *
 * <p>val[0]: P bit 0, FPD bit 1, AW [4:2], SLEE bit 5, PGTT [8:6], SLADE bit 9, SLPTPTR [63:12].
 * val[1]: DID [15:0], PWSNP bit 23, PGSNP bit 24, CD bit 25.
 * val[2]: SRE bit 0, ERE bit 1, FLPM [3:2], WPE bit 4, NXE bit 5, SMEP bit 6, EAFE bit 7, FLPTR [63:12].
 * The model reads val[4] to val[7] as reserved.
 */
public final class PasidEntry {
    /** Entry size in bytes. */
    public static final int SIZE = 64;
    /** {@code PASID_PTE_MASK}: PASID bits indexing the table. */
    public static final int INDEX_MASK = 0x3f;
    /** AW 2: a 4-level (48-bit) second level (CAP.SAGAW bit 2). */
    public static final int SECOND_LEVEL_4_LEVEL = 2;

    private final long[] words;

    private PasidEntry(long[] words) {
        this.words = words;
    }

    /**
     * The entry with these qwords (missing ones are zero).
     *
     * @throws IllegalArgumentException for more than 8 qwords
     */
    public static PasidEntry of(long... words) {
        if (words.length > 8) {
            throw new IllegalArgumentException("a PASID entry has 8 qwords, not " + words.length);
        }
        return new PasidEntry(Arrays.copyOf(words, 8));
    }

    /**
     * A present first-level-only entry as Linux's {@code intel_pasid_setup_first_level} writes it: PGTT 1,
     * FLPTR, DID, 4-level paging, FPD clear.
     *
     * @param firstLevelTable the PML4's physical address, 4 KiB aligned
     * @param domainId DID, 16 bits
     * @param supervisorRequests SRE
     * @throws IllegalArgumentException for an unaligned table or a DID wider than 16 bits
     */
    public static PasidEntry firstLevel(long firstLevelTable, int domainId, boolean supervisorRequests) {
        checkAligned(firstLevelTable);
        Capability.check("DID", domainId, 0xffff);
        return of(1 | (long) PasidTranslationType.FIRST_LEVEL.code() << 6, domainId,
                firstLevelTable | (supervisorRequests ? 1 : 0));
    }

    /**
     * A present nested entry (PGTT 3): the first level at {@code firstLevelTable} (a guest-physical address, the
     * guest's) translated through the second level at {@code secondLevelTable} (the host's), 4-level (AW 2,
     * 48 bits) on both, FPD clear.
     *
     * @throws IllegalArgumentException for an unaligned table or a DID wider than 16 bits
     */
    public static PasidEntry nested(long firstLevelTable, long secondLevelTable, int domainId,
            boolean supervisorRequests) {
        return nested(firstLevelTable, secondLevelTable, domainId, supervisorRequests, false);
    }

    /**
     * A present nested entry (PGTT 3) as {@link #nested(long, long, int, boolean)}, with the first-level controls
     * a guest programs in its own PASID entry: SRE (val[2] bit 0) and WPE (val[2] bit 4, supervisor writes honour
     * read-only first-level entries).
     *
     * @throws IllegalArgumentException for an unaligned table or a DID wider than 16 bits
     */
    public static PasidEntry nested(long firstLevelTable, long secondLevelTable, int domainId,
            boolean supervisorRequests, boolean writeProtect) {
        checkAligned(firstLevelTable);
        checkAligned(secondLevelTable);
        Capability.check("DID", domainId, 0xffff);
        return of(1 | (long) SECOND_LEVEL_4_LEVEL << 2 | (long) PasidTranslationType.NESTED.code() << 6
                | secondLevelTable, domainId,
                firstLevelTable | (supervisorRequests ? 1 : 0) | (writeProtect ? 1 << 4 : 0));
    }

    /**
     * A present pass-through entry (PGTT 4): requests are not translated.
     *
     * @throws IllegalArgumentException for a DID wider than 16 bits
     */
    public static PasidEntry passThrough(int domainId) {
        Capability.check("DID", domainId, 0xffff);
        return of(1 | (long) PasidTranslationType.PASS_THROUGH.code() << 6, domainId);
    }

    /** qword {@code index} (0 to 7). */
    public long word(int index) {
        return words[index];
    }

    /** A copy of the 8 qwords. */
    public long[] words() {
        return words.clone();
    }

    /** This entry with qword {@code index} replaced. */
    public PasidEntry withWord(int index, long value) {
        long[] copy = words.clone();
        copy[index] = value;
        return new PasidEntry(copy);
    }

    /** P. */
    public boolean present() {
        return (words[0] & 1) != 0;
    }

    /** FPD: faults of this PASID are not recorded. */
    public boolean faultProcessingDisable() {
        return (words[0] >>> 1 & 1) != 0;
    }

    /** This entry with FPD set or clear ({@code pasid_set_fault_enable} clears it). */
    public PasidEntry withFaultProcessingDisable(boolean fpd) {
        return withWord(0, fpd ? words[0] | 2 : words[0] & ~2L);
    }

    /** PGTT, raw. */
    public int translationTypeCode() {
        return (int) (words[0] >>> 6) & 7;
    }

    /** PGTT, or {@code null} when invalid. */
    public @Nullable PasidTranslationType translationType() {
        return PasidTranslationType.of(translationTypeCode());
    }

    /** SLPTPTR. */
    public long secondLevelTable() {
        return words[0] & ~0xfffL;
    }

    /** AW: the second level's width, 2 = 4-level (48-bit). */
    public int secondLevelWidth() {
        return (int) (words[0] >>> 2) & 7;
    }

    /** DID. */
    public int domainId() {
        return (int) words[1] & 0xffff;
    }

    /** SRE: supervisor requests enabled. */
    public boolean supervisorRequests() {
        return (words[2] & 1) != 0;
    }

    /** ERE: execute requests enabled. */
    public boolean executeRequests() {
        return (words[2] >>> 1 & 1) != 0;
    }

    /** FLPM: 0 = 4-level, 1 = 5-level first-level paging. */
    public int firstLevelPagingMode() {
        return (int) (words[2] >>> 2) & 3;
    }

    /** WPE: write protection for supervisor requests. */
    public boolean writeProtect() {
        return (words[2] >>> 4 & 1) != 0;
    }

    /** EAFE: extended accessed flag enable. */
    public boolean extendedAccessed() {
        return (words[2] >>> 7 & 1) != 0;
    }

    /** FLPTR: the first-level table root. */
    public long firstLevelTable() {
        return words[2] & ~0xfffL;
    }

    /** Whether a qword the model reads as reserved (val[4] to val[7]) is non-zero. */
    public boolean reservedBitsSet() {
        return (words[4] | words[5] | words[6] | words[7]) != 0;
    }

    /** The byte offset of {@code pasid}'s entry in its PASID table. */
    public static long offset(int pasid) {
        return (long) (pasid & INDEX_MASK) * SIZE;
    }

    private static void checkAligned(long table) {
        if ((table & 0xfff) != 0) {
            throw new IllegalArgumentException(String.format("table 0x%x is not 4 KiB aligned", table));
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasidEntry e && Arrays.equals(e.words, words);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(words);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("PasidEntry[");
        for (int i = 0; i < 3; i++) {
            sb.append(i == 0 ? "" : " ").append(String.format("0x%016x", words[i]));
        }
        return sb.append(reservedBitsSet() ? " +reserved]" : "]").toString();
    }
}
