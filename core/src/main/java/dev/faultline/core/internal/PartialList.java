package dev.faultline.core.internal;

import dev.faultline.api.fault.Permissions;
import java.util.Arrays;

/**
 * One device's partial page requests (Linux's {@code fault_param->partial}): requests without the last-page
 * flag, parked until the last request of their group arrives. Matched by group id only, as Linux does, so
 * partials of two PASIDs that use the same group id on one device join the same group.
 *
 * <p>Bounded per device (and, through {@link PartialBudget}, in total): a request over a bound is not parked.
 * Arrays grow by doubling up to the bound, so a steady state allocates nothing. Thread-safe; the emptiness
 * check the fault path makes first takes no lock.
 */
final class PartialList {
    private final PartialBudget budget;
    private final FaultBuffer requests = new FaultBuffer(4);
    private int[] groupIds = new int[4];
    private volatile int count;

    PartialList(PartialBudget budget) {
        this.budget = budget;
    }

    /** The number parked now. */
    int count() {
        return count;
    }

    /** Parks a request unless {@code perDeviceLimit} or the total budget is reached. */
    synchronized boolean park(int perDeviceLimit, int groupId, int pasid, int requestFlags, Permissions access,
            long address, long data0, long data1) {
        int n = count;
        if (n >= perDeviceLimit || !budget.tryTake()) {
            return false;
        }
        if (n == groupIds.length) {
            groupIds = Arrays.copyOf(groupIds, n * 2);
        }
        groupIds[n] = groupId;
        requests.append(pasid, requestFlags, access, address, data0, data1);
        count = n + 1;
        return true;
    }

    /** Moves the requests of {@code groupId} into {@code group}, oldest first. */
    void moveGroupInto(int groupId, FaultBuffer group) {
        if (count == 0) {
            return;
        }
        synchronized (this) {
            int n = count;
            int kept = 0;
            for (int i = 0; i < n; i++) {
                if (groupIds[i] == groupId) {
                    group.appendFrom(requests, i);
                } else {
                    if (i != kept) {
                        groupIds[kept] = groupIds[i];
                        requests.move(i, kept);
                    }
                    kept++;
                }
            }
            requests.truncate(kept);
            count = kept;
            budget.give(n - kept);
        }
    }

    /** Discards every parked request; returns how many there were. */
    synchronized int discard() {
        int n = count;
        requests.clear();
        count = 0;
        budget.give(n);
        return n;
    }
}
