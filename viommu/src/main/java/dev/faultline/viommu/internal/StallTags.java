package dev.faultline.viommu.internal;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The tags a guest's virtual IOMMU unit gave the page request groups it showed the guest: per virtual device, a
 * tag (a virtual SMMUv3's 16-bit STAG, EVTQ_1_STAG; a virtual VT-d unit's 9-bit group index, PRGI) for the vIOMMU
 * cookie of the group, so that an answer can name only a group of its own device that the guest was shown.
 * Bounded; not thread-safe (the unit's lock guards it).
 */
final class StallTags {
    /** A held group: its cookie, its PASID, and whether its record is in the guest's queue yet. */
    static final class Stall {
        final int cookie;
        final int pasid;
        boolean shown;

        Stall(int cookie, int pasid) {
            this.cookie = cookie;
            this.pasid = pasid;
        }
    }

    private final int tagsPerStream;
    private final int capacity;
    private final Map<Long, Stall> stalls = new HashMap<>();
    private final Map<Integer, Integer> next = new HashMap<>();

    /** At most {@code capacity} stalls held at once, 16-bit tags. */
    StallTags(int capacity) {
        this(capacity, 16);
    }

    /** At most {@code capacity} groups held at once, tags of {@code tagBits} bits (at most 16). */
    StallTags(int capacity, int tagBits) {
        this.capacity = capacity;
        this.tagsPerStream = 1 << tagBits;
    }

    /** A free tag of stream {@code sid} now naming {@code cookie}; -1 if the table or the stream's tags are full. */
    int allocate(int sid, int cookie) {
        return allocate(sid, cookie, -1);
    }

    /** A free tag of device {@code sid} now naming {@code cookie} of {@code pasid}; -1 if none is free. */
    int allocate(int sid, int cookie, int pasid) {
        if (stalls.size() >= capacity) {
            return -1;
        }
        int start = next.getOrDefault(sid, 0);
        for (int i = 0; i < tagsPerStream; i++) {
            int tag = (start + i) & (tagsPerStream - 1);
            long key = key(sid, tag);
            if (!stalls.containsKey(key)) {
                stalls.put(key, new Stall(cookie, pasid));
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

    /** The stall the guest was shown under this tag, left in place, or null. */
    Stall shown(int sid, int tag) {
        Stall s = (tag & ~0xffff) != 0 ? null : stalls.get(key(sid, tag));
        return s != null && s.shown ? s : null;
    }

    /** Removes and returns every stall of stream {@code sid}. */
    List<Stall> takeAll(int sid) {
        return takeAll(sid, false, 0);
    }

    /** Removes and returns every group of device {@code sid} and {@code pasid}. */
    List<Stall> takeAll(int sid, int pasid) {
        return takeAll(sid, true, pasid);
    }

    private List<Stall> takeAll(int sid, boolean onePasid, int pasid) {
        List<Stall> out = new ArrayList<>();
        for (Iterator<Map.Entry<Long, Stall>> it = stalls.entrySet().iterator(); it.hasNext();) {
            Map.Entry<Long, Stall> e = it.next();
            if ((int) (e.getKey() >>> 16) == sid && (!onePasid || e.getValue().pasid == pasid)) {
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
