package dev.faultline.platform.vtd;

import dev.faultline.api.fault.Pasid;

/**
 * The PRG Responses a unit has produced and not yet delivered, first in first out, each packed in one {@code long}:
 * destination id [15:0], PRG index [24:16], response code [28:25], PASID present [29], PASID [51:32]. A ring that
 * grows when full and never shrinks, so that a unit answering page requests allocates nothing once it has seen its
 * largest backlog. Not thread-safe: the unit uses it under its lock.
 */
final class PendingResponses {
    private static final long PASID_PRESENT = 1L << 29;

    private long[] ring = new long[16];
    private int head;
    private int size;

    /** Whether no response is waiting. */
    boolean isEmpty() {
        return size == 0;
    }

    /** How many responses are waiting. */
    int size() {
        return size;
    }

    /**
     * Queues a response; its fields are already within their encodings (a 16-bit id, a 20-bit PASID or
     * {@link Pasid#NONE}, a 9-bit index, a 4-bit code).
     */
    void add(int destinationId, int pasid, int prgIndex, int responseCode) {
        if (size == ring.length) {
            long[] larger = new long[ring.length * 2];
            for (int i = 0; i < size; i++) {
                larger[i] = ring[(head + i) & (ring.length - 1)];
            }
            ring = larger;
            head = 0;
        }
        long packed = (destinationId & 0xffffL) | (long) (prgIndex & 0x1ff) << 16 | (long) (responseCode & 0xf) << 25
                | (pasid == Pasid.NONE ? 0 : PASID_PRESENT | (long) (pasid & Pasid.MAX) << 32);
        ring[(head + size) & (ring.length - 1)] = packed;
        size++;
    }

    /**
     * Takes the oldest response.
     *
     * @throws IllegalStateException if none is waiting
     */
    long poll() {
        if (size == 0) {
            throw new IllegalStateException("no PRG response is waiting");
        }
        long packed = ring[head];
        head = (head + 1) & (ring.length - 1);
        size--;
        return packed;
    }

    /** The destination id of a packed response. */
    static int destinationId(long packed) {
        return (int) packed & 0xffff;
    }

    /** The PASID of a packed response, or {@link Pasid#NONE}. */
    static int pasid(long packed) {
        return (packed & PASID_PRESENT) == 0 ? Pasid.NONE : (int) (packed >>> 32) & Pasid.MAX;
    }

    /** The PRG index of a packed response. */
    static int prgIndex(long packed) {
        return (int) (packed >>> 16) & 0x1ff;
    }

    /** The response code of a packed response. */
    static int responseCode(long packed) {
        return (int) (packed >>> 25) & 0xf;
    }
}
