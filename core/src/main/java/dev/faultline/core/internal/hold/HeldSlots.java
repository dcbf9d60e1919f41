package dev.faultline.core.internal.hold;

import dev.faultline.core.internal.answer.GroupHolder;
import dev.faultline.core.internal.answer.HeldGroup;
import dev.faultline.core.internal.answer.TokenDirectory;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * The held-group slots of one reporting thread (a backend's fault thread: in practice one per IOMMU), and the
 * deadlines of the groups they hold. Groups that escape the fault thread (deferred, queued, waiting for a
 * replacement handler) are copied into a free slot, so in steady state holding a group allocates nothing. Slots
 * are made on first use, {@value #CHUNK} at a time, up to {@value #CAPACITY}, and never given up.
 *
 * <p>Only the owner thread takes slots and adds deadlines; any thread frees a slot (marking it reusable in its own
 * state, which the owner claims back), the watchdog takes expired deadlines. One FIFO of deadlines per distinct
 * timeout value: the groups of one timeout are held in report order, so their deadlines only grow, and the earliest
 * is always at the head. A FIFO has its own small lock, taken only by this owner and the watchdog.
 */
public final class HeldSlots implements HeldGroup.Releaser {
    /** Slots of one reporting thread at most; beyond them a held group is a one-off copy. */
    public static final int CAPACITY = 1024;
    /** Slots made at a time. */
    static final int CHUNK = 64;
    /** Slots a take in a full pool looks at after the one taken last (where groups answered in order free slots). */
    private static final int NEAR = 4;
    /** Slots a take in a full pool looks at further on, from where the previous such look stopped. */
    private static final int PROBES = 64;
    /** Capacity of the copy each slot starts with (it grows for a larger group, once). */
    private static final int FAULTS_PER_SLOT = 4;

    private final Thread owner;
    private final GroupHolder holder;
    private final TokenDirectory tokens;
    private volatile HeldGroup[] slots = new HeldGroup[0];
    /** The slot the owner took last, where it looks for a free one next. */
    private int cursor;
    /** Where a take in a full pool looks on from (the slots after those the previous look covered). */
    private int sweep;
    private volatile DeadlineFifo[] fifos = new DeadlineFifo[0];

    HeldSlots(Thread owner, GroupHolder holder, TokenDirectory tokens) {
        this.owner = owner;
        this.holder = holder;
        this.tokens = tokens;
    }

    /**
     * A free slot (owner thread), or {@code null} when all {@value #CAPACITY} are made and none of those it looked at
     * is free. The owner looks for a freed slot from the one it took last (free again if its group was answered
     * before the next fault came), then onwards: groups are mostly answered in the order they were held, so the slot
     * after it is usually free. In a full pool a take looks at {@value #NEAR} slots from there and then at
     * {@value #PROBES} more from where the previous full look stopped, so that a handler keeping every slot costs
     * each new group a bounded look (and a counted one-off copy), a slot freed anywhere is found within a few takes,
     * and a look that finds nothing does not lose the place where answered groups free their slots next. A slot is marked
     * freed in its own state ({@link HeldGroup#markReusable()}), which the answering thread writes anyway; no word
     * shared by every slot is written on each take and free.
     */
    HeldGroup take() {
        for (;;) {
            HeldGroup[] all = slots;
            int n = all.length;
            if (n >= CAPACITY) {
                HeldGroup g = claim(all, cursor, NEAR);
                if (g == null) {
                    g = claim(all, sweep, PROBES);
                    sweep = (sweep + PROBES) % n;
                }
                return g;
            }
            // a pool that can still grow looks at every slot before it makes more
            HeldGroup g = claim(all, cursor, n);
            if (g != null) {
                return g;
            }
            if (!grow()) {
                return null;
            }
        }
    }

    /** Claims the first freed slot of the {@code count} from {@code from} on (wrapping), taken last from now on. */
    private HeldGroup claim(HeldGroup[] all, int from, int count) {
        int n = all.length;
        for (int k = 0; k < count; k++) {
            int i = from + k < n ? from + k : from + k - n;
            HeldGroup g = all[i];
            if (g.claimReusable()) {
                cursor = i;
                return g;
            }
        }
        return null;
    }

    /** Makes {@value #CHUNK} more slots, unless there are {@value #CAPACITY} already. */
    private boolean grow() {
        HeldGroup[] old = slots;
        if (old.length >= CAPACITY) {
            return false;
        }
        HeldGroup[] more = Arrays.copyOf(old, old.length + CHUNK);
        for (int i = old.length; i < more.length; i++) {
            more[i] = new HeldGroup(FAULTS_PER_SLOT, i, this, holder);
            tokens.list(more[i]);
            more[i].markReusable();
        }
        cursor = old.length;
        slots = more;
        return true;
    }

    /** A slot of this pool is freed: marked reusable, for the owner to take again. */
    @Override
    public void release(HeldGroup freed) {
        freed.markReusable();
    }

    /** The deadline FIFO of groups with timeout {@code timeoutNanos} (owner thread). */
    DeadlineFifo fifoFor(long timeoutNanos) {
        DeadlineFifo[] all = fifos;
        for (DeadlineFifo f : all) {
            if (f.timeoutNanos() == timeoutNanos) {
                return f;
            }
        }
        DeadlineFifo f = new DeadlineFifo(timeoutNanos);
        DeadlineFifo[] more = Arrays.copyOf(all, all.length + 1);
        more[all.length] = f;
        fifos = more;
        return f;
    }

    DeadlineFifo[] fifos() {
        return fifos;
    }

    /** Visits every slot made so far (free or not). */
    void forEach(Consumer<HeldGroup> action) {
        for (HeldGroup g : slots) {
            action.accept(g);
        }
    }

    /** Slots made so far. */
    int made() {
        return slots.length;
    }

    /** Whether its thread ended and it holds nothing more (it can be forgotten). */
    boolean abandoned() {
        if (owner.isAlive()) {
            return false;
        }
        for (HeldGroup g : slots) {
            if (!g.free()) {
                return false;
            }
        }
        for (DeadlineFifo f : fifos) {
            if (!f.isEmpty()) {
                return false;
            }
        }
        return true;
    }

    String ownerName() {
        return owner.getName();
    }
}
