package dev.faultline.platform.vtd;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.memory.PhysicalMemory;

/**
 * Reads the scalable-mode entries a request goes through, root to PASID entry, and names the first fault
 * (VT-d scalable-mode entries, VT-d first-level faults). Not thread-safe: the unit calls it under its lock.
 */
final class TableLookup {
    /** {@link #reason} when the lookup succeeded. */
    static final int OK = -1;

    private final PhysicalMemory memory;
    private final UnitConfiguration configuration;

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
        long directoryAddress = (contextLow & ~0xfffL) + PasidDirectoryEntry.offset(pasid);
        if (!reachable(directoryAddress + PasidDirectoryEntry.SIZE)) {
            return fail(FaultReason.SM_PASID_DIR_ACCESS);
        }
        long directory = memory.read64(directoryAddress);
        if ((directory & 1) == 0) {
            return fail(FaultReason.SM_PASID_DIR_NOT_PRESENT);
        }
        faultProcessingDisable |= (directory & 2) != 0;
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
        faultProcessingDisable |= (pasidEntry[0] & 2) != 0;
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
        reason = OK;
        return true;
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
