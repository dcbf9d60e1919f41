package dev.faultline.core.internal.count;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;

/**
 * One set of {@link Counter}s, incremented from any thread without locking.
 *
 * <p>Increments come from a few threads, each many times: the IOMMU fault thread that reports a device's faults,
 * for a device's counters; for a handler's, one fault thread per IOMMU it serves, and the threads that answer
 * its deferred groups. Each such thread claims a lane of its own and counts there with a plain load and store
 * (published with opaque writes, so readers never see a torn value). The first lane is read straight from a
 * field. Counters shared by threads ({@link #shared()}) keep each lane's counts {@value #PAD} longs away from
 * anything another thread touches, so that two counting threads never write to one cache line. The lane of a
 * thread that ended is taken over by a later thread, counts included (a backend restarts its fault thread on
 * every swap). When every lane belongs to a live thread, the rest count in {@link LongAdder}s, made the first
 * time they are needed. A read adds up all.
 *
 * <p>The inline path counts a group once ({@link #countAnsweredGroup}): one outcome counter per answer code stands
 * for the group's report, its forming, its dispatch and its answer, and a snapshot adds it to each of those.
 */
public final class Counters {
    /** Threads that count in plain fields. */
    static final int LANES = 4;
    /** Longs of padding around a shared set's lanes (two 64-byte lines: adjacent-line prefetch included). */
    static final int PAD = 16;

    private static final VarHandle COUNT = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle OWNER = MethodHandles.arrayElementVarHandle(Thread[].class);
    private static final VarHandle FIRST_OWNER;
    private static final VarHandle ADDERS;

    static {
        try {
            FIRST_OWNER = MethodHandles.lookup().findVarHandle(Counters.class, "firstOwner", Thread.class);
            ADDERS = MethodHandles.lookup().findVarHandle(Counters.class, "adders", LongAdder[].class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Outcome counters first (one per {@link ResponseCode}), then one slot per {@link Counter}. */
    private static final int OUTCOMES = ResponseCode.values().length;
    private static final int SIZE = OUTCOMES + Counter.all().length;
    private static final ResponseCode[] CODES = ResponseCode.values();

    private final int pad;
    /** The owner of the first lane. */
    private @Nullable Thread firstOwner;
    private final long[] firstLane;
    /** The owners of the other lanes; each written under the lock, read by every counting thread. */
    private final @Nullable Thread[] owners = new Thread[LANES - 1];
    /** The other lanes, allocated when claimed. */
    private final long @Nullable [][] lanes = new long[LANES - 1][];
    private volatile LongAdder @Nullable [] adders;
    /** Counts from threads without a lane (racy on purpose): every 1,024th looks for lanes of ended threads. */
    private int unowned;

    /** Counters of one thread in the main (a device's). */
    public Counters() {
        this(0);
    }

    private Counters(int pad) {
        this.pad = pad;
        this.firstLane = new long[pad + SIZE + pad];
    }

    /** Counters that several threads count in at once (a handler's). */
    public static Counters shared() {
        return new Counters(PAD);
    }

    public void increment(Counter counter) {
        add(counter, 1);
    }

    public void add(Counter counter, long n) {
        addAt(OUTCOMES + counter.ordinal(), n);
    }

    /**
     * Counts a group that was reported (its last request), formed, dispatched and answered {@code answer}: one
     * increment where {@link #increment} would take four ({@link Counter#REPORTED}, {@link Counter#GROUPS},
     * {@link Counter#DISPATCHED} and the answer's counter).
     */
    public void countAnsweredGroup(ResponseCode answer) {
        addAt(answer.ordinal(), 1);
    }

    private void addAt(int slot, long n) {
        Thread current = Thread.currentThread();
        if (firstOwner == current) {
            long[] lane = firstLane;
            int i = pad + slot;
            COUNT.setOpaque(lane, i, lane[i] + n);
        } else {
            addElsewhere(slot, n, current);
        }
    }

    private void addElsewhere(int slot, long n, Thread current) {
        Thread[] o = owners;
        for (int k = 0; k < o.length; k++) {
            if (o[k] == current) {
                long[] lane = lanes[k];
                int i = pad + slot;
                COUNT.setOpaque(lane, i, lane[i] + n);
                return;
            }
        }
        if (!claim(current, (++unowned & 1023) == 0)) {
            adders()[slot].add(n);
            return;
        }
        addAt(slot, n);
    }

    /** Claims a free lane, or (when {@code takeOver}) the lane of a thread that ended, for {@code current}. */
    private synchronized boolean claim(Thread current, boolean takeOver) {
        Thread first = (Thread) FIRST_OWNER.getVolatile(this);
        if (first == null || (takeOver && !first.isAlive())) {
            FIRST_OWNER.setVolatile(this, current);
            return true;
        }
        for (int k = 0; k < owners.length; k++) {
            Thread owner = (Thread) OWNER.getVolatile(owners, k);
            if (owner == null || (takeOver && !owner.isAlive())) {
                if (lanes[k] == null) {
                    lanes[k] = new long[pad + SIZE + pad];
                }
                OWNER.setVolatile(owners, k, current);
                return true;
            }
        }
        return false;
    }

    private LongAdder[] adders() {
        LongAdder[] a = adders;
        if (a == null) {
            a = new LongAdder[SIZE];
            for (int i = 0; i < a.length; i++) {
                a[i] = new LongAdder();
            }
            if (!ADDERS.compareAndSet(this, null, a)) {
                a = adders;
            }
        }
        return a;
    }

    /** The count of {@code counter}, the groups counted at once ({@link #countAnsweredGroup}) included. */
    long get(Counter counter) {
        long n = at(OUTCOMES + counter.ordinal());
        switch (counter) {
            case REPORTED, GROUPS, DISPATCHED -> {
                for (ResponseCode code : CODES) {
                    n += at(code.ordinal());
                }
            }
            case ANSWERED_SUCCESS -> n += at(ResponseCode.SUCCESS.ordinal());
            case ANSWERED_INVALID -> n += at(ResponseCode.INVALID.ordinal());
            case ANSWERED_FAILURE -> n += at(ResponseCode.FAILURE.ordinal());
            default -> { }
        }
        return n;
    }

    private long at(int slot) {
        int i = pad + slot;
        long sum = (long) COUNT.getOpaque(firstLane, i);
        synchronized (this) {
            for (long[] lane : lanes) {
                if (lane != null) {
                    sum += (long) COUNT.getOpaque(lane, i);
                }
            }
        }
        LongAdder[] a = adders;
        return a == null ? sum : sum + a[slot].sum();
    }

    /** A snapshot with {@code pending} groups outstanding. */
    public FaultCounts snapshot(long pending) {
        return snapshot(pending, 0, 0);
    }

    /**
     * A snapshot with {@code pending} groups outstanding, and {@code formed} groups formed but not counted yet, of
     * which {@code dispatched} were dispatched (groups in a handler call right now, counted when the call ends).
     */
    public FaultCounts snapshot(long pending, long formed, long dispatched) {
        FaultCounts.Builder b = FaultCounts.builder().pending(pending);
        for (Counter c : Counter.all()) {
            long extra = switch (c) {
                case REPORTED, GROUPS -> formed;
                case DISPATCHED -> dispatched;
                default -> 0;
            };
            c.set(b, get(c) + extra);
        }
        return b.build();
    }

    /** The counter-wise sum of snapshots (their pending groups summed too). */
    public static FaultCounts sum(Iterable<FaultCounts> all) {
        long[] total = new long[Counter.all().length];
        long pending = 0;
        for (FaultCounts counts : all) {
            for (Counter c : Counter.all()) {
                total[c.ordinal()] += c.of(counts);
            }
            pending += counts.pending();
        }
        FaultCounts.Builder b = FaultCounts.builder().pending(pending);
        for (Counter c : Counter.all()) {
            c.set(b, total[c.ordinal()]);
        }
        return b.build();
    }
}
