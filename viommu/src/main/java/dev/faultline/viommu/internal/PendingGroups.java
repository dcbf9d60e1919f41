package dev.faultline.viommu.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.handler.DeferredGroup;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * One guest's page request groups awaiting its answer, by cookie. Cookies are 32-bit, start at 1 and are never
 * 0 (iommufd's {@code XA_FLAGS_ALLOC1}); they are issued in order, skipping any still in the table, and wrap.
 * A group becomes answerable once the guest has read its event. Groups the host answered (deadline, detach)
 * stay until the guest answers them, so that answer can be told {@code LATE}, or until they reach the head of
 * the table while room is needed; at most {@code capacity} groups are held.
 *
 * <p>Not thread-safe: the guest's lock guards it.
 */
final class PendingGroups {
    private final int capacity;
    private final LinkedHashMap<Integer, Entry> entries = new LinkedHashMap<>();
    private int lastIssued;
    private boolean wrapped;

    /** One group the guest holds. */
    static final class Entry {
        final int cookie;
        final DeferredGroup group;
        final DeviceId device;
        boolean delivered;

        Entry(int cookie, DeferredGroup group, DeviceId device) {
            this.cookie = cookie;
            this.group = group;
            this.device = device;
        }
    }

    PendingGroups(int capacity) {
        this(capacity, 0);
    }

    /** A table whose next cookie is {@code lastIssued + 1} (to exercise the wrap). */
    PendingGroups(int capacity, int lastIssued) {
        this.capacity = capacity;
        this.lastIssued = lastIssued;
    }

    /**
     * Whether another group fits, after retiring, from the oldest on, groups the host has already answered.
     * Each group is retired at most once, so this costs O(1) amortised.
     */
    boolean hasRoom() {
        if (entries.size() < capacity) {
            return true;
        }
        Iterator<Entry> oldest = entries.values().iterator();
        while (oldest.hasNext() && oldest.next().group.answered()) {
            oldest.remove();
        }
        return entries.size() < capacity;
    }

    /** Holds {@code group} under the next free cookie. Call only when {@link #hasRoom()}. */
    Entry add(DeferredGroup group, DeviceId device) {
        int cookie;
        do {
            cookie = lastIssued + 1;
            if (cookie == 0) {
                wrapped = true;
                cookie = 1;
            }
            lastIssued = cookie;
        } while (entries.containsKey(cookie));
        Entry entry = new Entry(cookie, group, device);
        entries.put(cookie, entry);
        return entry;
    }

    /** The group held under {@code cookie}, or null. */
    Entry get(int cookie) {
        return entries.get(cookie);
    }

    /** Stops holding the group under {@code cookie}. */
    void remove(int cookie) {
        entries.remove(cookie);
    }

    /** Marks the group under {@code cookie} as read by the guest. */
    void markDelivered(int cookie) {
        Entry entry = entries.get(cookie);
        if (entry != null) {
            entry.delivered = true;
        }
    }

    /** Whether {@code cookie} was ever issued to this guest (all are, once the cookies have wrapped). */
    boolean issued(int cookie) {
        return cookie != 0 && (wrapped || Integer.compareUnsigned(cookie, lastIssued) <= 0);
    }

    /** The groups of {@code device} still unanswered; they stay in the table. */
    List<Entry> unansweredOf(DeviceId device) {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (e.device.equals(device) && !e.group.answered()) {
                out.add(e);
            }
        }
        return out;
    }

    /** Removes every group; returns those still unanswered. */
    List<Entry> clear() {
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            if (!e.group.answered()) {
                out.add(e);
            }
        }
        entries.clear();
        return out;
    }

    /** Groups held. */
    int size() {
        return entries.size();
    }
}
