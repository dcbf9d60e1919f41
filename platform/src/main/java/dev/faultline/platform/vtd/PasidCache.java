package dev.faultline.platform.vtd;

import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The unit's PASID cache (VT-d §6.5): cached PASID entries by {@code rid << 20 | pasid}, in an open-addressed table
 * of primitive keys (linear probing, at most half full, doubled when it would be more), so that a lookup, hit or
 * miss, allocates nothing however many devices and PASIDs translate at once. Invalidations, rare, rebuild the table
 * without the entries they drop. Not thread-safe: the unit uses it under its lock.
 */
final class PasidCache {
    private static final long EMPTY = -1L;

    /** Which cached entries an invalidation drops. */
    @FunctionalInterface
    interface Selection {
        /** Whether the entry cached under {@code key} is dropped. */
        boolean selects(long key, long[] entry);
    }

    private long[] keys;
    private long[][] entries;
    private int size;

    /** An empty cache. */
    PasidCache() {
        keys = new long[256];
        entries = new long[256][];
        Arrays.fill(keys, EMPTY);
    }

    /** The key of the entry of {@code pasid} under requester {@code rid}. */
    static long key(int rid, int pasid) {
        return (long) (rid & 0xffff) << 20 | (pasid & 0xfffff);
    }

    /** The requester id of a key. */
    static int requesterId(long key) {
        return (int) (key >>> 20);
    }

    /** The PASID of a key. */
    static int pasid(long key) {
        return (int) key & 0xfffff;
    }

    private int home(long key) {
        return (int) (key * 0x9E37_79B9_7F4A_7C15L >>> 40) & (keys.length - 1);
    }

    /** The entry cached under {@code key}, or null. */
    long @Nullable [] get(long key) {
        int mask = keys.length - 1;
        for (int i = home(key); keys[i] != EMPTY; i = (i + 1) & mask) {
            if (keys[i] == key) {
                return entries[i];
            }
        }
        return null;
    }

    /** Caches {@code entry} under {@code key}, replacing what was cached there. */
    void put(long key, long[] entry) {
        if (2 * (size + 1) > keys.length) {
            rebuild(keys.length * 2, null);
        }
        int mask = keys.length - 1;
        int i = home(key);
        while (keys[i] != EMPTY && keys[i] != key) {
            i = (i + 1) & mask;
        }
        if (keys[i] == EMPTY) {
            size++;
        }
        keys[i] = key;
        entries[i] = entry;
    }

    /** Drops every entry {@code selection} selects. */
    void removeIf(Selection selection) {
        rebuild(keys.length, selection);
    }

    /** Drops every entry. */
    void clear() {
        Arrays.fill(keys, EMPTY);
        Arrays.fill(entries, null);
        size = 0;
    }

    /** Entries cached now. */
    int size() {
        return size;
    }

    private void rebuild(int capacity, @Nullable Selection dropped) {
        long[] oldKeys = keys;
        long[][] oldEntries = entries;
        keys = new long[capacity];
        entries = new long[capacity][];
        Arrays.fill(keys, EMPTY);
        size = 0;
        for (int i = 0; i < oldKeys.length; i++) {
            if (oldKeys[i] != EMPTY && (dropped == null || !dropped.selects(oldKeys[i], oldEntries[i]))) {
                put(oldKeys[i], oldEntries[i]);
            }
        }
    }
}
