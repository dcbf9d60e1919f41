package dev.faultline.platform.smmuv3;

import dev.faultline.platform.dma.DmaTransaction;
import java.util.function.Consumer;

/**
 * The stalled transactions of an SMMU by (StreamID, STAG): an open-addressed table of primitive keys sized for
 * IDR5.STALL_MAX, so that stalling and resuming allocate nothing. Linear probing with backward-shift deletion (no
 * tombstones). Not thread-safe (the SMMU uses it under its lock).
 */
final class StallTable {
    private static final long EMPTY = -1L;
    private final long[] keys;
    private final DmaTransaction[] values;
    private final int mask;
    private int size;

    /** A table for at most {@code capacity} stalled transactions. */
    StallTable(int capacity) {
        int slots = Integer.highestOneBit(Math.max(capacity, 4) * 2 - 1) << 1;
        keys = new long[slots];
        values = new DmaTransaction[slots];
        mask = slots - 1;
        java.util.Arrays.fill(keys, EMPTY);
    }

    /** The key of a stall: StreamID (32 bits) and STAG (16 bits); never {@link #EMPTY}. */
    static long key(int sid, int stag) {
        return (sid & 0xffff_ffffL) << 16 | (stag & 0xffff);
    }

    private int home(long key) {
        return (int) (key * 0x9E37_79B9_7F4A_7C15L >>> 40) & mask;
    }

    int size() {
        return size;
    }

    boolean contains(long key) {
        for (int i = home(key); keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return true;
            }
        }
        return false;
    }

    /** Adds a stall whose key is not present. */
    void put(long key, DmaTransaction tx) {
        if (size + 1 > (mask + 1) / 2) {
            throw new IllegalStateException("stall table full"); // sized for STALL_MAX: the SMMU checks first
        }
        int i = home(key);
        while (keys[i] != EMPTY) {
            i = (i + 1) & mask;
        }
        keys[i] = key;
        values[i] = tx;
        size++;
    }

    /** Removes and returns the stall of {@code key}, or null. */
    DmaTransaction remove(long key) {
        for (int i = home(key); keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                DmaTransaction tx = values[i];
                delete(i);
                return tx;
            }
        }
        return null;
    }

    /** Removes every stall of {@code sid}, handing each to {@code action} (after it is out of the table). */
    void removeStream(int sid, Consumer<DmaTransaction> action) {
        int i = 0;
        while (i <= mask) {
            if (keys[i] != EMPTY && (int) (keys[i] >>> 16) == sid) {
                DmaTransaction tx = values[i];
                delete(i); // a later entry may move into slot i: look at it again
                action.accept(tx);
            } else {
                i++;
            }
        }
    }

    /** Backward-shift deletion: entries after the hole whose home is not between it and them move into it. */
    private void delete(int hole) {
        int i = hole;
        while (true) {
            i = (i + 1) & mask;
            if (keys[i] == EMPTY) {
                break;
            }
            int h = home(keys[i]);
            boolean movable = hole <= i ? h <= hole || h > i : h <= hole && h > i;
            if (movable) {
                keys[hole] = keys[i];
                values[hole] = values[i];
                hole = i;
            }
        }
        keys[hole] = EMPTY;
        values[hole] = null;
        size--;
    }
}
