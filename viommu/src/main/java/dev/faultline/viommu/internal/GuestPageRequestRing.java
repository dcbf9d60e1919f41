package dev.faultline.viommu.internal;

import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.viommu.WritableGuestMemory;

/**
 * The page request queue of a guest's virtual VT-d unit, in guest memory: 32-byte descriptors in 2^PQS pages at
 * PQA, PQT written by the unit, PQH by the guest, one slot always left free, PRS.PPR and PRS.PRO (VT-d page
 * request queue). Not thread-safe: the unit's lock guards it.
 */
final class GuestPageRequestRing {
    /** PQA: base [63:12], PQS [2:0]; [11:3] reserved. */
    private static final long PQA_RESERVED = 0xff8L;
    private static final int DESCRIPTOR = PageRequestDescriptor.SIZE;

    private final WritableGuestMemory memory;
    private long pqa;
    private long size;
    private long head;
    private long tail;
    private int prs;

    GuestPageRequestRing(WritableGuestMemory memory) {
        this.memory = memory;
    }

    long pqa() {
        return pqa;
    }

    long head() {
        return head;
    }

    long tail() {
        return tail;
    }

    int prs() {
        return prs;
    }

    /** Whether a queue is programmed. */
    boolean programmed() {
        return size != 0;
    }

    /**
     * PQA: accepted if no reserved bit is set and the whole ring is guest RAM. PQH and PQT are kept when they fit
     * the new size, else both restart at 0.
     */
    boolean program(long value) {
        long bytes = 4096L << (value & RegisterMap.QUEUE_SIZE_MASK);
        long base = value & RegisterMap.QUEUE_BASE_MASK;
        if ((value & PQA_RESERVED) != 0 || base < 0 || !memory.contains(base)
                || !memory.contains(base + bytes - Long.BYTES)) {
            return false;
        }
        pqa = value;
        size = bytes;
        if (head >= size || tail >= size) {
            head = 0;
            tail = 0;
        }
        return true;
    }

    /**
     * The guest's PQH write: 32-byte aligned and inside the ring; it may move forward over descriptors written
     * (never past PQT), and an empty ring may be repositioned anywhere (PQT follows), as a driver does when it
     * initialises the queue.
     */
    boolean writeHead(long value) {
        if (!inRing(value)) {
            return false;
        }
        if (head == tail) {
            head = value;
            tail = value;
            return true;
        }
        if (distance(head, value) > distance(head, tail)) {
            return false;
        }
        head = value;
        return true;
    }

    /** The guest's PQT write: only to reposition an empty ring (the unit owns PQT). */
    boolean writeTail(long value) {
        if (!inRing(value) || head != tail) {
            return false;
        }
        head = value;
        tail = value;
        return true;
    }

    private boolean inRing(long value) {
        return (value & (DESCRIPTOR - 1)) == 0 && value >= 0 && (value < size || value == 0);
    }

    private long distance(long from, long to) {
        return Math.floorMod(to - from, size);
    }

    /** PRS write: PPR and PRO are write-1-to-clear. */
    void clearStatus(int value) {
        prs &= ~(value & (RegisterMap.PRS_PPR | RegisterMap.PRS_PRO));
    }

    boolean overflowActive() {
        return (prs & RegisterMap.PRS_PRO) != 0;
    }

    /** Descriptors that can be written now (one slot always stays free). */
    long room() {
        return size == 0 ? 0 : size / DESCRIPTOR - 1 - distance(head, tail) / DESCRIPTOR;
    }

    /**
     * A group found no room: sets PRO.
     *
     * @return whether this raises the page request event
     */
    boolean overflow() {
        prs |= RegisterMap.PRS_PRO;
        return true;
    }

    /** Writes one descriptor at PQT and advances it; the caller checked {@link #room()}. */
    void write(PageRequestDescriptor d) {
        long at = (pqa & RegisterMap.QUEUE_BASE_MASK) + tail;
        memory.write64(at, d.qw0());
        memory.write64(at + 8, d.qw1());
        memory.write64(at + 16, 0);
        memory.write64(at + 24, 0);
        tail = (tail + DESCRIPTOR) % size;
    }

    /**
     * Descriptors were written: sets PPR.
     *
     * @return whether this raises the page request event (PPR and PRO were clear)
     */
    boolean pending() {
        boolean quiet = (prs & (RegisterMap.PRS_PPR | RegisterMap.PRS_PRO)) == 0;
        prs |= RegisterMap.PRS_PPR;
        return quiet;
    }
}
