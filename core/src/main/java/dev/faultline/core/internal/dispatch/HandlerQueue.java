package dev.faultline.core.internal.dispatch;

import dev.faultline.core.internal.answer.HeldGroup;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The bounded queue and thread of one handler registered with {@code faultline.dispatch=queued}: the reporting
 * thread only offers, so a slow or blocked handler delays its own groups, never another device's.
 *
 * <p>A ring of {@code queue.depth} entries (a held group's slot and generation), preallocated: any number of
 * reporting threads offer without a lock (each claims a position with one compare-and-set and publishes it with
 * its sequence number); the handler's thread takes every published entry in one batch, calls the handler for each,
 * and when the ring is empty spins briefly before it parks (an offer unparks it only when it is parked), if the
 * core's {@link SpinBudget} lets it: with more queued handlers than spare processors, the idle ones park at once
 * instead of polling their empty queues on the processors the others need. Nothing is allocated per group.
 *
 * <p>A deterministic simulation runs the queue without a thread ({@link #HandlerQueue(String, int, Call,
 * Consumer)}): each offer tells the simulation's scheduler, which serves the queue with {@link #serveOne()} when
 * it chooses.
 */
public final class HandlerQueue {
    /** Serves one queued group: generation {@code generation} of held slot {@code group}. */
    @FunctionalInterface
    public interface Call {
        void run(HeldGroup group, long generation);
    }

    /** A group left in the queue when it stopped. */
    public record Left(HeldGroup group, long generation) {
    }

    /** Entries the handler's thread takes at a time. */
    private static final int BATCH = 64;
    /** Empty polls before the handler's thread parks. */
    private static final int SPINS = 256;

    private final int depth;
    private final HeldGroup[] groups;
    private final long[] generations;
    /** Per position: equal to the position's next offer index when free, that index + 1 when published. */
    private final AtomicLongArray sequence;
    private final AtomicLong tail = new AtomicLong();
    /** The next position to take; written under {@link #takeLock}. */
    private volatile long head;
    private final Object takeLock = new Object();
    private final Call call;
    private final Thread worker;
    private final Consumer<HandlerQueue> offered;
    private final SpinBudget spins;
    /** Whether its thread counts in {@link #spins} (from its start to its stop). */
    private final AtomicBoolean inBudget = new AtomicBoolean();
    private final HeldGroup[] batchGroups;
    private final long[] batchGenerations;
    /** Whether the handler's thread is parked (or about to): the first offer then unparks it. */
    private volatile boolean parked;
    private static final VarHandle PARKED;

    static {
        try {
            PARKED = MethodHandles.lookup().findVarHandle(HandlerQueue.class, "parked", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
    /** The thread inside {@link #serveOne()} (a queue without a thread of its own), else null. */
    private volatile Thread serving;
    private volatile boolean stopped;

    public HandlerQueue(String name, int depth, Call call) {
        this(name, depth, call, null, SpinBudget.ofProcessors());
    }

    /**
     * A queue served by its own thread, which spins when idle only within {@code spins}, or, with {@code offered}
     * non-null, by whoever calls {@link #serveOne()} after {@code offered} told it that a group was queued.
     */
    public HandlerQueue(String name, int depth, Call call, Consumer<HandlerQueue> offered, SpinBudget spins) {
        this.depth = depth;
        this.spins = spins;
        groups = new HeldGroup[depth];
        generations = new long[depth];
        sequence = new AtomicLongArray(depth);
        for (int i = 0; i < depth; i++) {
            sequence.set(i, i);
        }
        this.call = call;
        this.offered = offered;
        if (offered == null) {
            worker = new Thread(this::run, "faultline-handler-" + name);
            worker.setDaemon(true);
            batchGroups = new HeldGroup[BATCH];
            batchGenerations = new long[BATCH];
        } else {
            worker = null;
            batchGroups = new HeldGroup[1];
            batchGenerations = new long[1];
        }
    }

    public void start() {
        if (worker != null && !stopped && inBudget.compareAndSet(false, true)) {
            spins.joined();
            worker.start();
        }
    }

    private int position(long index) {
        return (int) (index % depth);
    }

    /** Queues generation {@code generation} of {@code group} without waiting; {@code false} if full or stopped. */
    boolean offer(HeldGroup group, long generation) {
        if (stopped) {
            return false;
        }
        long t;
        for (;;) {
            t = tail.get();
            long free = sequence.get(position(t)) - t;
            if (free == 0) {
                if (tail.compareAndSet(t, t + 1)) {
                    break;
                }
            } else if (free < 0) {
                return false; // the position still holds the entry of one lap ago: full
            }
        }
        int p = position(t);
        groups[p] = group;
        generations[p] = generation;
        sequence.set(p, t + 1);
        if (offered != null) {
            offered.accept(this);
        } else if (parked && PARKED.compareAndSet(this, true, false)) {
            // one offer wakes the parked thread; the others see it awake
            LockSupport.unpark(worker);
        }
        return true;
    }

    /** Groups queued and not yet taken. */
    int size() {
        return (int) Math.max(0, tail.get() - head);
    }

    private boolean hasNext() {
        long h = head;
        return sequence.get(position(h)) == h + 1;
    }

    /** Takes up to {@code max} published entries, oldest first, into the arrays; returns how many. */
    private int take(HeldGroup[] gs, long[] gens, int max) {
        synchronized (takeLock) {
            int n = 0;
            long h = head;
            while (n < max) {
                int p = position(h);
                if (sequence.get(p) != h + 1) {
                    break;
                }
                gs[n] = groups[p];
                gens[n] = generations[p];
                groups[p] = null;
                sequence.set(p, h + depth);
                h++;
                n++;
            }
            head = h;
            return n;
        }
    }

    /**
     * Serves the oldest queued group on the calling thread, as the queue's thread would (a queue without a thread
     * of its own).
     *
     * @return whether there was one
     */
    public boolean serveOne() {
        if (stopped || take(batchGroups, batchGenerations, 1) == 0) {
            return false;
        }
        HeldGroup g = batchGroups[0];
        batchGroups[0] = null;
        serving = Thread.currentThread();
        try {
            call.run(g, batchGenerations[0]);
        } finally {
            serving = null;
        }
        return true;
    }

    /** Stops the thread after its current call; returns the groups still queued (the caller routes them). */
    public List<Left> stop() {
        stopped = true;
        if (worker != null) {
            if (inBudget.compareAndSet(true, false)) {
                spins.left();
            }
            worker.interrupt();
        }
        List<Left> left = new ArrayList<>();
        HeldGroup[] gs = new HeldGroup[depth];
        long[] gens = new long[depth];
        int n = take(gs, gens, depth);
        for (int i = 0; i < n; i++) {
            left.add(new Left(gs[i], gens[i]));
        }
        return left;
    }

    /** Whether {@code t} is the thread serving this queue. */
    public boolean isWorker(Thread t) {
        return t == worker || t == serving;
    }

    private void run() {
        while (!stopped) {
            int n = take(batchGroups, batchGenerations, BATCH);
            // every group taken is handed on: a handler that departed meanwhile is not entered, its groups are
            // routed again (GroupDispatcher.runQueued)
            for (int i = 0; i < n; i++) {
                HeldGroup g = batchGroups[i];
                batchGroups[i] = null;
                call.run(g, batchGenerations[i]);
            }
            if (n == 0) {
                idle();
            }
        }
    }

    /** Spins a little for the next offer (if the budget lets it), then parks until one unparks it. */
    private void idle() {
        if (spins.tryStart()) {
            try {
                for (int i = 0; i < SPINS; i++) {
                    if (stopped || hasNext()) {
                        return;
                    }
                    Thread.onSpinWait();
                }
            } finally {
                spins.end();
            }
        }
        parked = true;
        if (!stopped && !hasNext()) {
            LockSupport.park(this);
        }
        parked = false;
        Thread.interrupted(); // an interrupt is a stop, which the loop reads
    }
}
