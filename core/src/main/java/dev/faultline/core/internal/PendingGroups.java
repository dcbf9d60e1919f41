package dev.faultline.core.internal;

import dev.faultline.api.fault.ResponseCode;
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
final class PendingGroups {
    private final Set<HeldGroup> groups = ConcurrentHashMap.newKeySet();

    void add(HeldGroup group) {
        groups.add(group);
    }

    void remove(HeldGroup group) {
        groups.remove(group);
    }

    int size() {
        return groups.size();
    }

    /** Answers every pending group that matches with {@code code}; returns how many this call answered. */
    int answerAll(Predicate<HeldGroup> which, ResponseCode code) {
        int n = 0;
        for (HeldGroup g : groups) {
            if (which.test(g) && g.answerBy(code, null)) {
                n++;
            }
        }
        return n;
    }

    /** How many pending groups match. */
    long count(Predicate<HeldGroup> which) {
        return groups.stream().filter(which).count();
    }

    /** A snapshot of the pending groups. */
    List<HeldGroup> snapshot() {
        return new ArrayList<>(groups);
    }
}
