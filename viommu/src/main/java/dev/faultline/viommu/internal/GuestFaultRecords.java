package dev.faultline.viommu.internal;

import dev.faultline.platform.vtd.RegisterMap;

/**
 * The fault recording registers (FRCD) of a guest's virtual VT-d unit and the FSTS bits they drive, by the VT-d
 * recording rule: a next-record index; a fault meeting a full next register sets PFO and is dropped; a fault
 * into an empty set points FRI at its register and raises the fault event unless PPF, PFO or IQE was set. With
 * compression on, a fault of a source id that still has a pending record (F = 1) is collapsed into it (VT-d
 * FRCD.F: hardware may collapse further faults of that source). Not thread-safe: the unit's lock guards it.
 */
final class GuestFaultRecords {
    private final long[] records;
    private final boolean compress;
    private int next;
    private int firstPending;
    /** FSTS.PFO and FSTS.IQE, the bits software clears. */
    private int status;

    GuestFaultRecords(int count, boolean compress) {
        this.records = new long[2 * count];
        this.compress = compress;
    }

    int count() {
        return records.length / 2;
    }

    /** Qword {@code index} of the register array (low, high, low, high ...). */
    long word(int index) {
        return records[index];
    }

    /** FSTS: PFO, PPF, IQE and FRI. */
    int faultStatus() {
        boolean pending = pending();
        return status | (pending ? RegisterMap.FSTS_PPF | firstPending << RegisterMap.FSTS_FRI_SHIFT : 0);
    }

    private boolean pending() {
        for (int i = 1; i < records.length; i += 2) {
            if (records[i] < 0) {
                return true;
            }
        }
        return false;
    }

    /** FSTS write: PFO and IQE are write-1-to-clear. */
    void clearStatus(int value) {
        status &= ~(value & (RegisterMap.FSTS_PFO | RegisterMap.FSTS_IQE));
    }

    boolean invalidationQueueError() {
        return (status & RegisterMap.FSTS_IQE) != 0;
    }

    /**
     * Sets IQE.
     *
     * @return whether this raises the fault event (none of PPF, PFO, IQE was set)
     */
    boolean raiseInvalidationQueueError() {
        boolean quiet = (faultStatus() & (RegisterMap.FSTS_PPF | RegisterMap.FSTS_PFO | RegisterMap.FSTS_IQE)) == 0;
        status |= RegisterMap.FSTS_IQE;
        return quiet;
    }

    /** Faults were lost before reaching the registers: PFO. */
    void overflow() {
        status |= RegisterMap.FSTS_PFO;
    }

    /** Clears F of register {@code index} (the guest's write of DMA_FRCD_F). */
    void clear(int index) {
        records[2 * index + 1] &= Long.MAX_VALUE;
    }

    /** What became of a fault given to {@link #record}. */
    enum Outcome { RECORDED, RECORDED_WITH_EVENT, COMPRESSED, OVERFLOWED }

    /** Records a fault whose high qword has F set. */
    Outcome record(long low, long high) {
        if (compress && pendingFrom((int) high & 0xffff)) {
            return Outcome.COMPRESSED;
        }
        int before = faultStatus();
        if (records[2 * next + 1] < 0) {
            status |= RegisterMap.FSTS_PFO;
            return Outcome.OVERFLOWED;
        }
        records[2 * next] = low;
        records[2 * next + 1] = high | Long.MIN_VALUE;
        if ((before & RegisterMap.FSTS_PPF) == 0) {
            firstPending = next;
        }
        next = (next + 1) % count();
        return (before & (RegisterMap.FSTS_PPF | RegisterMap.FSTS_PFO | RegisterMap.FSTS_IQE)) == 0
                ? Outcome.RECORDED_WITH_EVENT : Outcome.RECORDED;
    }

    private boolean pendingFrom(int sourceId) {
        for (int i = 1; i < records.length; i += 2) {
            if (records[i] < 0 && ((int) records[i] & 0xffff) == sourceId) {
                return true;
            }
        }
        return false;
    }
}
