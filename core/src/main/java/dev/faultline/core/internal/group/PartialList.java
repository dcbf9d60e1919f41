package dev.faultline.core.internal.group;

import dev.faultline.api.fault.Permissions;
import java.util.Arrays;
import java.util.function.IntPredicate;
import org.jspecify.annotations.Nullable;

/**
 * One device's partial page requests (Linux's {@code fault_param->partial}): requests without the last-page
 * flag, parked until the last request of their group arrives. Matched by PASID and group id (unlike Linux, which
 * matches the group id only): a device that mixes PASIDs under one group index never has one PASID's addresses
 * handed to another PASID's handler; each PASID's requests wait for their own last request, and a request parked
 * beside another PASID's requests of the same index is reported as such.
 *
 * <p>Bounded per device (and, through {@link PartialBudget}, in total): a request over a bound is not parked.
 * Arrays grow by doubling up to the bound, so a steady state allocates nothing. Thread-safe; the emptiness
 * check the fault path makes first takes no lock.
 */
public final class PartialList {
    /** {@link #park} result: not parked, a bound was reached. */
    public static final int DROPPED = 0;
    /** {@link #park} result: parked. */
    static final int PARKED = 1;
    /** {@link #park} result: parked, and another PASID's parked request uses the same group index. */
    public static final int PARKED_BESIDE_ANOTHER_PASID = 2;

    private final PartialBudget budget;
    private final FaultBuffer requests = new FaultBuffer(4);
    private int[] groupIds = new int[4];
    private volatile int count;

    public PartialList(PartialBudget budget) {
        this.budget = budget;
    }

    /** The number parked now. */
    public int count() {
        return count;
    }

    /**
     * Parks a request unless the per-device or the total bound is reached.
     *
     * @return {@link #DROPPED}, {@link #PARKED} or {@link #PARKED_BESIDE_ANOTHER_PASID}
     */
    public synchronized int park(int pasid, int groupId, int requestFlags, Permissions access, long address,
            long data0, long data1) {
        int n = count;
        if (n >= budget.perDevice() || !budget.tryTake()) {
            return DROPPED;
        }
        int result = PARKED;
        for (int i = 0; i < n; i++) {
            if (groupIds[i] == groupId && requests.pasid(i) != pasid) {
                result = PARKED_BESIDE_ANOTHER_PASID;
                break;
            }
        }
        if (n == groupIds.length) {
            groupIds = Arrays.copyOf(groupIds, n * 2);
        }
        groupIds[n] = groupId;
        requests.append(pasid, requestFlags, access, address, data0, data1);
        count = n + 1;
        return result;
    }

    /** Which bound a dropped request reached, as the configuration names it (for the host log). */
    public String boundReached() {
        return budget.boundReached(count);
    }

    /** Moves the requests of {@code (pasid, groupId)} into {@code group}, oldest first. */
    public void moveGroupInto(int groupId, int pasid, FaultBuffer group) {
        if (count == 0) {
            return;
        }
        removeWhere(groupId, pasid, null, group);
    }

    /** Discards the parked requests whose PASID {@code affected} selects; returns how many there were. */
    public int discard(IntPredicate affected) {
        if (count == 0) {
            return 0;
        }
        return removeWhere(0, 0, affected, null);
    }

    /**
     * Removes the requests whose PASID {@code affected} selects or, without it, those of {@code (pasid, groupId)}
     * (compared in place, so that forming a group allocates nothing), appending them to {@code into} if given;
     * returns how many.
     */
    private synchronized int removeWhere(int groupId, int pasid, @Nullable IntPredicate affected,
            @Nullable FaultBuffer into) {
        int n = count;
        int kept = 0;
        for (int i = 0; i < n; i++) {
            boolean match = affected != null ? affected.test(requests.pasid(i))
                    : groupIds[i] == groupId && requests.pasid(i) == pasid;
            if (match) {
                if (into != null) {
                    into.appendFrom(requests, i);
                }
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
        return n - kept;
    }

    /** Discards every parked request; returns how many there were. */
    public synchronized int discard() {
        int n = count;
        requests.clear();
        count = 0;
        budget.give(n);
        return n;
    }
}
