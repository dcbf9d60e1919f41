package dev.faultline.core.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;

/**
 * One set of {@link Counter}s, incremented from any thread without locking or allocating.
 *
 * <p>Most increments come from one thread: the IOMMU fault thread that reports the device's faults. The first
 * thread to count becomes the owner and counts in plain fields (a load and a store, published with opaque
 * writes so readers never see a torn value); every other thread counts in {@link LongAdder}s. A read adds both.
 */
final class Counters {
    private static final VarHandle OWNED = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle OWNER;

    static {
        try {
            OWNER = MethodHandles.lookup().findVarHandle(Counters.class, "owner", Thread.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private final long[] owned = new long[Counter.all().length];
    private final LongAdder[] shared = new LongAdder[Counter.all().length];
    private volatile Thread owner;

    Counters() {
        for (int i = 0; i < shared.length; i++) {
            shared[i] = new LongAdder();
        }
    }

    void increment(Counter counter) {
        add(counter, 1);
    }

    void add(Counter counter, long n) {
        if (owner == Thread.currentThread()) {
            int i = counter.ordinal();
            OWNED.setOpaque(owned, i, owned[i] + n);
        } else {
            addShared(counter, n);
        }
    }

    /** The first counting thread becomes the owner; the others count in the adders. */
    private void addShared(Counter counter, long n) {
        Thread current = Thread.currentThread();
        if (owner == null && OWNER.compareAndSet(this, null, current)) {
            add(counter, n);
        } else {
            shared[counter.ordinal()].add(n);
        }
    }

    long get(Counter counter) {
        int i = counter.ordinal();
        return (long) OWNED.getOpaque(owned, i) + shared[i].sum();
    }

    /** The counter of groups answered with {@code code}. */
    static Counter answered(ResponseCode code) {
        switch (code) {
            case SUCCESS:
                return Counter.ANSWERED_SUCCESS;
            case INVALID:
                return Counter.ANSWERED_INVALID;
            default:
                return Counter.ANSWERED_FAILURE;
        }
    }

    /** A snapshot with {@code pending} groups outstanding. */
    FaultCounts snapshot(long pending) {
        return new FaultCounts(get(Counter.REPORTED), get(Counter.PARKED), get(Counter.DROPPED_PARTIAL),
                get(Counter.DISCARDED_PARTIAL), get(Counter.DISPATCHED), get(Counter.DELIVERED),
                get(Counter.NO_HANDLER), get(Counter.REJECTED), get(Counter.GROUPS), get(Counter.ANSWERED_SUCCESS),
                get(Counter.ANSWERED_INVALID), get(Counter.ANSWERED_FAILURE), pending, get(Counter.TIMED_OUT),
                get(Counter.ABANDONED), get(Counter.HANDLER_ERRORS), get(Counter.SLOW_CALLS), get(Counter.DUPLICATES), get(Counter.QUEUE_FULL),
                get(Counter.LOST_RESPONSES));
    }

    /** The field-wise sum of snapshots. */
    static FaultCounts sum(Iterable<FaultCounts> all) {
        long[] s = new long[20];
        for (FaultCounts c : all) {
            long[] v = {c.reported(), c.parked(), c.droppedPartials(), c.discardedPartials(), c.dispatched(),
                c.delivered(), c.noHandler(), c.rejected(), c.groups(), c.answeredSuccess(), c.answeredInvalid(),
                c.answeredFailure(), c.pending(), c.timedOut(), c.abandoned(), c.handlerErrors(), c.slowCalls(), c.duplicates(),
                c.queueFull(), c.lostResponses()};
            for (int i = 0; i < s.length; i++) {
                s[i] += v[i];
            }
        }
        return new FaultCounts(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11], s[12],
                s[13], s[14], s[15], s[16], s[17], s[18], s[19]);
    }
}
