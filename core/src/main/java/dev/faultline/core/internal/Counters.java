package dev.faultline.core.internal;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import java.util.concurrent.atomic.LongAdder;

/** One set of {@link Counter}s, incremented from any thread without locking or allocating. */
final class Counters {
    private final LongAdder[] adders = new LongAdder[Counter.all().length];

    Counters() {
        for (int i = 0; i < adders.length; i++) {
            adders[i] = new LongAdder();
        }
    }

    void increment(Counter counter) {
        adders[counter.ordinal()].increment();
    }

    void add(Counter counter, long n) {
        adders[counter.ordinal()].add(n);
    }

    long get(Counter counter) {
        return adders[counter.ordinal()].sum();
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
