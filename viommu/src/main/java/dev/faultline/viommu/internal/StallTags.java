package dev.faultline.viommu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The STAGs a guest's virtual SMMUv3 gave its stall records: per virtual stream, a 16-bit tag (EVTQ_1_STAG) for
 * the vIOMMU cookie of the stalled group, so that a CMD_RESUME can name only a stall of its own stream that the
 * guest was shown. Bounded; not thread-safe (the virtual SMMU's lock guards it).
 */
final class StallTags {
    private static final int TAGS_PER_STREAM = 1 << 16;

    /** A stall: its cookie, and whether its record is in the guest's queue yet. */
    static final class Stall {
        final int cookie;
        boolean shown;

        Stall(int cookie) {
            this.cookie = cookie;
        }
    }

    private final int capacity;
    private final Map<Long, Stall> stalls = new HashMap<>();
    private final Map<Integer, Integer> next = new HashMap<>();

    /** At most {@code capacity} stalls held at once. */
    StallTags(int capacity) {
        this.capacity = capacity;
    }

    /** A free tag of stream {@code sid} now naming {@code cookie}; -1 if the table or the stream's tags are full. */
    int allocate(int sid, int cookie) {
        if (stalls.size() >= capacity) {
            return -1;
        }
        int start = next.getOrDefault(sid, 0);
        for (int i = 0; i < TAGS_PER_STREAM; i++) {
            int tag = (start + i) & (TAGS_PER_STREAM - 1);
            long key = key(sid, tag);
            if (!stalls.containsKey(key)) {
                stalls.put(key, new Stall(cookie));
                next.put(sid, tag + 1);
                return tag;
            }
        }
        return -1;
    }

    /** Marks the stall as written into the guest's queue: from now on the guest may resume it. */
    void show(int sid, int tag) {
        Stall s = stalls.get(key(sid, tag));
        if (s != null) {
            s.shown = true;
        }
    }

    /** Removes and returns the stall the guest may resume under this tag, or null (unknown, or not yet shown). */
    Stall take(int sid, int tag) {
        long key = key(sid, tag & 0xffff);
        Stall s = stalls.get(key);
        if (s == null || !s.shown || (tag & ~0xffff) != 0) {
            return null;
        }
        stalls.remove(key);
        return s;
    }

    /** Removes and returns every stall of stream {@code sid}. */
    List<Stall> takeAll(int sid) {
        List<Stall> out = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Stall>> it = stalls.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, Stall> e = it.next();
            if ((int) (e.getKey() >>> 16) == sid) {
                out.add(e.getValue());
                it.remove();
            }
        }
        return out;
    }

    /** Removes and returns the stall under this tag whether or not the guest was shown it, or null. */
    Stall takeUnshown(int sid, int tag) {
        return stalls.remove(key(sid, tag & 0xffff));
    }

    int size() {
        return stalls.size();
    }

    private static long key(int sid, int tag) {
        return (sid & 0xffff_ffffL) << 16 | tag;
    }
}
