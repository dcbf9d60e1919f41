package dev.faultline.core.internal.hold;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.core.internal.answer.GroupFilter;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.count.Counter;
import dev.faultline.core.internal.report.DeviceState;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * The recoverable groups held past their report (deferred or queued) and not yet answered: Linux's
 * {@code fault_param->faults}, over all devices, so that a departing device, backend or handler can answer
 * its own. Lock-free.
 */
public final class PendingGroups {
    private final Set<HeldGroup> groups = ConcurrentHashMap.newKeySet();

    public void add(HeldGroup group) {
        groups.add(group);
    }

    public void remove(HeldGroup group) {
        groups.remove(group);
    }

    int size() {
        return groups.size();
    }

    /**
     * Answers {@code code} every pending group that {@code which} selects and nobody answered yet, counting
     * {@code reason} (a departed handler's clean-up window ended: a later answer of it is a duplicate); returns
     * how many this call answered.
     */
    public int answerAll(Predicate<HeldGroup> which, ResponseCode code, Counter reason) {
        int n = 0;
        for (HeldGroup g : groups) {
            if (which.test(g) && g.answerBy(code, reason)) {
                n++;
            }
        }
        return n;
    }

    /**
     * A change of owner at {@code d}: answers INVALID every pending group of {@code d} that {@code which} selects,
     * or waits for the answer being sent; returns how many this call answered.
     */
    public int answerForChangeOfOwner(DeviceState d, GroupFilter which, Counter reason) {
        int n = 0;
        for (HeldGroup g : groups) {
            if (g.deviceState() == d && which.test(g.faults.lastPasid(), g.attachment) && g.answerForBarrier(reason)) {
                n++;
            }
        }
        return n;
    }

    /** How many pending groups match. */
    public long count(Predicate<HeldGroup> which) {
        return groups.stream().filter(which).count();
    }

    /** A snapshot of the pending groups. */
    public List<HeldGroup> snapshot() {
        return new ArrayList<>(groups);
    }
}
