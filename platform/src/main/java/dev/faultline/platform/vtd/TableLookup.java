package dev.faultline.platform.vtd;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.Arrays;

/**
 * Reads the scalable-mode entries a request goes through, root to PASID entry, and names the first fault
 * (VT-d scalable-mode entries, VT-d first-level faults). Present PASID entries are cached, as the PASID cache of
 * VT-d §6.5 does: a PASID entry software changes keeps translating as it was until a PASID-cache invalidation
 * ({@link #invalidatePasidCache}) or a context-cache invalidation of its device drops it. Not thread-safe: the
 * unit calls it under its lock.
 */
final class TableLookup {
    /** {@link #reason} when the lookup succeeded. */
    static final int OK = -1;

    private final PhysicalMemory memory;
    private final UnitConfiguration configuration;
    /** Cached PASID entries: the 8 words, then FPD of the directory or entry (0/1). */
    private final PasidCache pasidCache = new PasidCache();
    private long pasidCacheHits;
    private int rid;

    // The result of the last lookup, reused to keep the model's fast path free of allocation.
    int reason;
    boolean faultProcessingDisable;
    long contextLow;
    int pasid;
    boolean privileged;
    final long[] pasidEntry = new long[8];

    TableLookup(PhysicalMemory memory, UnitConfiguration configuration) {
        this.memory = memory;
        this.configuration = configuration;
    }

    /**
     * Looks up the context entry of {@code rid} under the scalable-mode root table {@code rootTable}.
     *
     * @return whether it succeeded; else {@link #reason} holds the fault reason
     */
    boolean context(long rootTable, int rid) {
        this.rid = rid;
        faultProcessingDisable = false;
        long rootAddress = (rootTable & ~0xfffL) + RootEntry.offset(rid >>> 8);
        if (!reachable(rootAddress + RootEntry.SIZE)) {
            return fail(FaultReason.SM_ROOT_ENTRY_ACCESS);
        }
        boolean upper = (rid & 0x80) != 0;
        long root = memory.read64(rootAddress + (upper ? 8 : 0));
        if ((root & 1) == 0) {
            return fail(FaultReason.SM_ROOT_ENTRY_NOT_PRESENT);
        }
        if ((root & RootEntry.RESERVED) != 0) {
            return fail(FaultReason.SM_ROOT_ENTRY_RESERVED);
        }
        long contextAddress = (root & ~0xfffL) + ContextEntry.offset(rid & 0xff);
        if (!reachable(contextAddress + ContextEntry.SIZE)) {
            return fail(FaultReason.SM_CONTEXT_ENTRY_ACCESS);
        }
        long qw0 = memory.read64(contextAddress);
        if ((qw0 & 1) == 0) {
            return fail(FaultReason.SM_CONTEXT_ENTRY_NOT_PRESENT);
        }
        faultProcessingDisable = (qw0 & 2) != 0;
        long qw1 = memory.read64(contextAddress + 8);
        if (ContextEntry.reservedBitsSet(qw0, qw1, memory.read64(contextAddress + 16),
                memory.read64(contextAddress + 24))) {
            return fail(FaultReason.SM_CONTEXT_ENTRY_RESERVED);
        }
        contextLow = qw0;
        pasid = (int) qw1 & 0xfffff; // RID_PASID until a request with PASID replaces it
        privileged = (qw1 >>> 20 & 1) != 0;
        reason = OK;
        return true;
    }

    /**
     * After {@link #context}, looks up the PASID entry for a request with {@code requestPasid}
     * ({@link Pasid#NONE}: RID_PASID and RID_PRIV) into {@link #pasidEntry}.
     *
     * @return whether it succeeded; else {@link #reason} holds the fault reason
     */
    boolean pasidEntry(int requestPasid, boolean requestPrivileged) {
        if (requestPasid != Pasid.NONE) {
            if ((contextLow & 8) == 0) {
                return fail(FaultReason.SM_CONTEXT_PASIDE_CLEAR);
            }
            pasid = requestPasid;
            privileged = requestPrivileged;
        }
        int pasidLimit = 1 << ((int) (contextLow >>> 9 & 7) + 7 + PasidDirectoryEntry.PASID_SHIFT); // PDTS
        if (pasid >= pasidLimit) {
            return fail(FaultReason.SM_PASID_TOO_LARGE);
        }
        long key = PasidCache.key(rid, pasid);
        long[] cached = pasidCache.get(key);
        if (cached != null) {
            System.arraycopy(cached, 0, pasidEntry, 0, pasidEntry.length);
            faultProcessingDisable |= cached[pasidEntry.length] != 0;
            pasidCacheHits++;
            reason = OK;
            return true;
        }
        boolean belowContextFpd;
        long directoryAddress = (contextLow & ~0xfffL) + PasidDirectoryEntry.offset(pasid);
        if (!reachable(directoryAddress + PasidDirectoryEntry.SIZE)) {
            return fail(FaultReason.SM_PASID_DIR_ACCESS);
        }
        long directory = memory.read64(directoryAddress);
        if ((directory & 1) == 0) {
            return fail(FaultReason.SM_PASID_DIR_NOT_PRESENT);
        }
        belowContextFpd = (directory & 2) != 0;
        faultProcessingDisable |= belowContextFpd;
        if ((directory & PasidDirectoryEntry.RESERVED) != 0) {
            return fail(FaultReason.SM_PASID_DIR_RESERVED);
        }
        long entryAddress = (directory & ~0xfffL) + PasidEntry.offset(pasid);
        if (!reachable(entryAddress + PasidEntry.SIZE)) {
            return fail(FaultReason.SM_PASID_ENTRY_ACCESS);
        }
        for (int i = 0; i < 8; i++) {
            pasidEntry[i] = memory.read64(entryAddress + 8L * i);
        }
        if ((pasidEntry[0] & 1) == 0) {
            return fail(FaultReason.SM_PASID_ENTRY_NOT_PRESENT);
        }
        belowContextFpd |= (pasidEntry[0] & 2) != 0;
        faultProcessingDisable |= belowContextFpd;
        if (pasidEntryReserved()) {
            return fail(FaultReason.SM_PASID_ENTRY_RESERVED);
        }
        int pgtt = (int) (pasidEntry[0] >>> 6) & 7;
        boolean nested = pgtt == PasidTranslationType.NESTED.code();
        if (pgtt != PasidTranslationType.FIRST_LEVEL.code() && pgtt != PasidTranslationType.PASS_THROUGH.code()
                && !nested) {
            // Second-level-only translation is not modelled: the unit treats it as an invalid entry.
            return fail(FaultReason.SM_PASID_ENTRY_INVALID);
        }
        if (nested && ((pasidEntry[0] >>> 2) & 7) != PasidEntry.SECOND_LEVEL_4_LEVEL) {
            return fail(FaultReason.SM_PASID_ENTRY_INVALID); // only a 4-level second level is modelled
        }
        long[] entry = Arrays.copyOf(pasidEntry, pasidEntry.length + 1);
        entry[pasidEntry.length] = belowContextFpd ? 1 : 0;
        pasidCache.put(key, entry);
        reason = OK;
        return true;
    }

    /**
     * A PASID-cache invalidation ({@code pc_inv_dsc}, Linux {@code QI_PC_*}): granularity 0 drops the entries of
     * domain {@code did}, 1 those of {@code did} at {@code pasid}, 3 all.
     *
     * @return false for the reserved granularity 2
     */
    boolean invalidatePasidCache(int granularity, int did, int pasid) {
        switch (granularity) {
            case 0 -> pasidCache.removeIf((key, entry) -> domainId(entry) == did);
            case 1 -> pasidCache.removeIf((key, entry) -> domainId(entry) == did && PasidCache.pasid(key) == pasid);
            case 3 -> pasidCache.clear();
            default -> {
                return false;
            }
        }
        return true;
    }

    /**
     * A context-cache invalidation ({@code cc_inv_dsc}): in scalable mode it drops the PASID-cache entries under
     * the contexts it names (model choice; Linux follows each with a PASID-cache invalidation anyway): granularity
     * 1 all, 2 those of domain {@code did}, 3 those of device {@code sid}.
     *
     * @return false for the reserved granularity 0
     */
    boolean invalidateContextCache(int granularity, int did, int sid) {
        switch (granularity) {
            case 1 -> pasidCache.clear();
            case 2 -> pasidCache.removeIf((key, entry) -> domainId(entry) == did);
            case 3 -> pasidCache.removeIf((key, entry) -> PasidCache.requesterId(key) == sid);
            default -> {
                return false;
            }
        }
        return true;
    }

    /** PASID entries cached now. */
    int pasidCacheSize() {
        return pasidCache.size();
    }

    /** Lookups the PASID cache answered. */
    long pasidCacheHits() {
        return pasidCacheHits;
    }

    /** The domain id of a cached PASID entry (bits 79:64, qw1 [15:0]). */
    private static int domainId(long[] entry) {
        return (int) entry[1] & 0xffff;
    }

    /**
     * Reserved as the model reads them: val[4..7]; SRE without ECAP.SRS (the case of dmar-fault-01 in the real
     * logs); ERE without ECAP.ERS; FLPM other than 4-level (5-level is not modelled).
     */
    private boolean pasidEntryReserved() {
        ExtendedCapability ecap = configuration.extendedCapability();
        long val2 = pasidEntry[2];
        return (pasidEntry[4] | pasidEntry[5] | pasidEntry[6] | pasidEntry[7]) != 0
                || ((val2 & 1) != 0 && !ecap.has(ExtendedCapability.SUPERVISOR_REQUESTS))
                || ((val2 & 2) != 0 && !ecap.has(ExtendedCapability.EXECUTE_REQUESTS))
                || ((val2 >>> 2) & 3) != 0;
    }

    private boolean reachable(long end) {
        return end <= configuration.memoryTop();
    }

    private boolean fail(int faultReason) {
        reason = faultReason;
        return false;
    }
}
