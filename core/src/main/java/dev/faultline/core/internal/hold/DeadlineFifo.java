package dev.faultline.core.internal.hold;

import dev.faultline.core.internal.answer.HeldGroup;

/**
 * The deadlines of the held groups of one timeout value on one reporting thread, in the order they were held: a
 * deadline is the report time plus the timeout, so they only grow and the head is always the earliest. An entry
 * names its slot and the slot's lineage (which group it held): once the group is answered and the slot goes on, the
 * entry is stale and skipped. Stale entries are dropped when the ring is full (so it never holds more than twice
 * the live groups) and when they reach the head. Its lock is taken by its owner thread and the watchdog only.
 */
final class DeadlineFifo {
    /** Capacity at first; it doubles, so it is always a power of two (positions wrap with a mask). */
    private static final int INITIAL = 64;

    private final long timeoutNanos;
    private HeldGroup[] groups = new HeldGroup[INITIAL];
    private long[] lineages = new long[INITIAL];
    private long[] deadlines = new long[INITIAL];
    private int head;
    private int size;

    DeadlineFifo(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    long timeoutNanos() {
        return timeoutNanos;
    }

    synchronized boolean isEmpty() {
        dropStaleHeads();
        return size == 0;
    }

    /** Adds the deadline of {@code g}'s group {@code lineage}; returns whether it is now the head. */
    synchronized boolean add(HeldGroup g, long lineage, long deadline) {
        if (size == groups.length) {
            compact();
            if (size > groups.length / 2) {
                resize(groups.length * 2);
            }
        }
        int i = (head + size) & (groups.length - 1);
        groups[i] = g;
        lineages[i] = lineage;
        deadlines[i] = deadline;
        size++;
        return size == 1;
    }

    /** The earliest deadline of a group still held, or {@link Long#MAX_VALUE}. */
    synchronized long earliest() {
        dropStaleHeads();
        return size == 0 ? Long.MAX_VALUE : deadlines[head];
    }

    /**
     * Takes the head if its deadline is at or before {@code now}: returns its slot and puts the lineage in
     * {@code lineage[0]}; {@code null} if none is due.
     */
    synchronized HeldGroup pollDue(long now, long[] lineage) {
        if (size == 0 || deadlines[head] - now > 0) {
            return null;
        }
        HeldGroup g = groups[head];
        lineage[0] = lineages[head];
        groups[head] = null;
        head = (head + 1) & (groups.length - 1);
        size--;
        return g;
    }

    private static boolean stale(HeldGroup g, long lineage) {
        return g.lineage() != lineage || g.pendingGeneration() < 0;
    }

    private void dropStaleHeads() {
        while (size > 0 && stale(groups[head], lineages[head])) {
            groups[head] = null;
            head = (head + 1) & (groups.length - 1);
            size--;
        }
    }

    /** Drops every stale entry, keeping the order of the others. */
    private void compact() {
        int kept = 0;
        int mask = groups.length - 1;
        for (int k = 0; k < size; k++) {
            int from = (head + k) & mask;
            HeldGroup g = groups[from];
            if (!stale(g, lineages[from])) {
                int to = (head + kept) & mask;
                groups[to] = g;
                lineages[to] = lineages[from];
                deadlines[to] = deadlines[from];
                kept++;
            }
        }
        for (int k = kept; k < size; k++) {
            groups[(head + k) & mask] = null;
        }
        size = kept;
    }

    private void resize(int capacity) {
        HeldGroup[] g = new HeldGroup[capacity];
        long[] l = new long[capacity];
        long[] d = new long[capacity];
        for (int k = 0; k < size; k++) {
            int from = (head + k) & (groups.length - 1);
            g[k] = groups[from];
            l[k] = lineages[from];
            d[k] = deadlines[from];
        }
        groups = g;
        lineages = l;
        deadlines = d;
        head = 0;
    }

    /** Entries now, stale ones included (tests). */
    synchronized int entries() {
        return size;
    }
}
