package dev.faultline.viommu.internal;

import dev.faultline.platform.vtd.ContextEntry;
import dev.faultline.platform.vtd.PasidDirectoryEntry;
import dev.faultline.platform.vtd.PasidEntry;
import dev.faultline.platform.vtd.PasidTranslationType;
import dev.faultline.platform.vtd.RootEntry;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.VirtualPasidEntry;

/**
 * Reads and validates a guest's scalable-mode tables (VT-d scalable-mode root, context, PASID-directory and
 * PASID-table entries) for a virtual VT-d unit that offers first-level translation only: no second level, no
 * nesting, no pass-through, no execute requests, 4-level paging. Stateless.
 */
final class GuestVtdTables {
    /** What reading a device's context entry gave. */
    record Context(ContextEntry entry, boolean refused) {
        static final Context ABSENT = new Context(null, false);
        static final Context REFUSED = new Context(null, true);

        boolean present() {
            return entry != null;
        }
    }

    /**
     * What reading one PASID's entries gave: the entry for the binder, the context the vIOMMU walks with (null
     * without one), FPD anywhere on the way, and whether a guest-written entry was refused.
     */
    record Pasid(VirtualPasidEntry entry, FirstLevelContext context, boolean faultProcessingDisable,
            boolean refused) {
        static final Pasid ABSENT = new Pasid(VirtualPasidEntry.ABORT, null, false, false);
        static final Pasid REFUSED = new Pasid(VirtualPasidEntry.ABORT, null, false, true);
    }

    /** val[0] bits a first-level entry may set: P, FPD, AW [4:2], PGTT [8:6] (Linux intel_pasid_setup_first_level). */
    private static final long VAL0_FIRST_LEVEL = 0x1dfL;
    /** val[1] bits: DID [15:0], PWSNP 23, PGSNP 24, CD 25. */
    private static final long VAL1_FIELDS = 0xffffL | 7L << 23;
    /** val[2] bits besides FLPTR: SRE 0, WPE 4 (ERE needs ECAP.ERS, FLPM 5-level paging CAP.FL5LP: not offered). */
    private static final long VAL2_CONTROLS = 0x11L;
    private static final long PAGE = 0xfffL;

    private GuestVtdTables() {
    }

    /** Whether the 4 KiB table at {@code table} is wholly guest RAM. */
    static boolean tableFits(GuestMemory memory, long table) {
        return table >= 0 && memory.contains(table) && memory.contains(table + 4096 - Long.BYTES);
    }

    /** The context entry of requester id {@code rid} under the root table at {@code rootTable}. */
    static Context context(GuestMemory memory, long rootTable, int rid) {
        long rootEntry = rootTable + RootEntry.offset(rid >>> 8);
        long low = memory.read64(rootEntry);
        long high = memory.read64(rootEntry + Long.BYTES);
        if (RootEntry.reservedBitsSet(low, high)) {
            return Context.REFUSED;
        }
        long half = (rid & 0x80) == 0 ? low : high;
        if ((half & 1) == 0) {
            return Context.ABSENT;
        }
        long at = (half & ~PAGE) + ContextEntry.offset(rid & 0xff);
        if (!memory.contains(at) || !memory.contains(at + ContextEntry.SIZE - Long.BYTES)) {
            return Context.REFUSED;
        }
        long qw0 = memory.read64(at);
        long qw1 = memory.read64(at + 8);
        if (ContextEntry.reservedBitsSet(qw0, qw1, memory.read64(at + 16), memory.read64(at + 24))) {
            return Context.REFUSED;
        }
        ContextEntry entry = ContextEntry.decode(qw0, qw1);
        return entry.present() ? new Context(entry, false) : Context.ABSENT;
    }

    /**
     * The PASID-table entry at index {@code index} of the device's directory ({@code index} is the PASID, or the
     * context's RID_PASID for requests without PASID).
     *
     * @param pasidBits the PASIDs the unit supports (ECAP.PSS + 1)
     * @param addressWidth the unit's address width: FLPTR bits at or above it are reserved
     */
    static Pasid pasid(GuestMemory memory, ContextEntry context, int index, int pasidBits, int addressWidth) {
        if (index >= context.pasidLimit() || (index >>> pasidBits) != 0) {
            return Pasid.ABSENT; // beyond PDTS (hardware: fault 0x46) or the unit's PASID width
        }
        long directoryEntry = context.pasidDirectory() + PasidDirectoryEntry.offset(index);
        if (!memory.contains(directoryEntry)) {
            return Pasid.REFUSED;
        }
        long dir = memory.read64(directoryEntry);
        if ((dir & PasidDirectoryEntry.RESERVED) != 0) {
            return Pasid.REFUSED;
        }
        PasidDirectoryEntry directory = PasidDirectoryEntry.decode(dir);
        if (!directory.present()) {
            return Pasid.ABSENT;
        }
        long at = directory.pasidTable() + PasidEntry.offset(index);
        if (!memory.contains(at) || !memory.contains(at + PasidEntry.SIZE - Long.BYTES)) {
            return Pasid.REFUSED;
        }
        long[] words = new long[8];
        for (int i = 0; i < words.length; i++) {
            words[i] = memory.read64(at + (long) Long.BYTES * i);
        }
        PasidEntry entry = PasidEntry.of(words);
        if (!entry.present()) {
            return Pasid.ABSENT;
        }
        if ((words[0] & ~VAL0_FIRST_LEVEL) != 0 || (words[1] & ~VAL1_FIELDS) != 0
                || (words[2] & PAGE & ~VAL2_CONTROLS) != 0 || words[3] != 0 || entry.reservedBitsSet()
                || entry.translationType() != PasidTranslationType.FIRST_LEVEL
                || (entry.firstLevelTable() >>> addressWidth) != 0) {
            return Pasid.REFUSED; // a reserved bit, or a feature the unit does not offer (SL, nesting, PT, ERE, FL5LP)
        }
        boolean fpd = context.faultProcessingDisable() || directory.faultProcessingDisable()
                || entry.faultProcessingDisable();
        return new Pasid(new VirtualPasidEntry(VirtualPasidEntry.Mode.FIRST_LEVEL, entry.firstLevelTable(),
                entry.supervisorRequests(), entry.writeProtect()),
                new FirstLevelContext(entry.firstLevelTable(), entry.supervisorRequests(), false, entry.writeProtect(),
                        addressWidth), fpd, false);
    }
}
