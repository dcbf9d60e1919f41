package dev.faultline.core.queue;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The right to consume one IOMMU's fault queues (a "pass" over them), held by one thread at a time: the
 * backend's fault thread, or a teardown that drains the queues before a change of owner. The holder brackets
 * each report into the core with {@link #reportStarts()} and {@link #reportEnded()}.
 *
 * <p>When an inline handler holds a report call too long, the core calls
 * {@link dev.faultline.api.backend.IommuBackend#reportingThreadBlocked()}; the backend then calls
 * {@link #abandonReport()}: if a report is in flight, the pass leaves its thread without being released and the
 * backend starts a fresh thread that {@link #adopt() adopts} it, steps past the record in flight (it was
 * reported; the core answers its group) and goes on with the queues. The blocked thread, when its handler
 * finally returns, learns from {@link #reportEnded()} that the pass is no longer its own and must leave the
 * queues untouched: it neither advances them nor {@link #leave() leaves} the pass.
 *
 * <p>Every record is reported exactly once either way: the abandoned thread never touches the queues again,
 * and its successor starts after the record in flight. The bracket costs one volatile write and one
 * uncontended compare-and-set per report, and allocates nothing.
 *
 * <p>Thread-safe.
 */
public final class QueuePass {
    /**
     * What {@link #passWithin(long, BooleanSupplier)} did.
     *
     * @since 1.1
     */
    public enum Drain {
        /** The pass ran on the calling thread (after the pass in progress, if any, ended). */
        RAN,
        /**
         * The calling thread is inside a pass already (a teardown from a handler call of that pass): nothing ran;
         * the pass in progress goes on by itself.
         */
        INSIDE_PASS,
        /** The pass in progress did not end within the timeout: nothing ran. */
        TIMED_OUT,
        /** The calling thread was interrupted while waiting (its interrupt status is set again): nothing ran. */
        INTERRUPTED
    }

    /** How many abandoned threads may still be held by their handlers, by default. */
    public static final int DEFAULT_MAX_BLOCKED = 16;
    private static final long REPORTING = 1;

    private final int maxBlocked;
    private final Semaphore permit = new Semaphore(1);
    /** A generation (bits 63:1), bumped by each abandonment, and {@link #REPORTING} (bit 0). */
    private final AtomicLong state = new AtomicLong();
    private volatile @Nullable Thread holder;
    /** The state written by {@link #reportStarts()} (read only by the holder). */
    private long reportState;
    private final AtomicLong abandoned = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicInteger blocked = new AtomicInteger();

    /** A pass that abandons at most {@link #DEFAULT_MAX_BLOCKED} threads still held by their handlers. */
    public QueuePass() {
        this(DEFAULT_MAX_BLOCKED);
    }

    /**
     * A pass that abandons at most {@code maxBlocked} threads still held by their handlers; past that, a blocked
     * report holds the queues again (counted in {@link #refused()}), so a handler that blocks every call cannot
     * make the backend start threads without end.
     *
     * @throws IllegalArgumentException if {@code maxBlocked} is negative
     */
    public QueuePass(int maxBlocked) {
        if (maxBlocked < 0) {
            throw new IllegalArgumentException("maxBlocked must not be negative: " + maxBlocked);
        }
        this.maxBlocked = maxBlocked;
    }

    /** Takes the pass, waiting as long as it takes. */
    public void enter() {
        permit.acquireUninterruptibly();
        holder = Thread.currentThread();
    }

    /**
     * Takes the pass if nobody holds it, without waiting. For a backend driven without threads (a simulation whose
     * actors share one Java thread): there, waiting for the holder would never end, since the holder can go on only
     * once the waiting call returns; the backend tries again later instead, as a waiting thread would get the pass
     * when its holder leaves.
     *
     * @return whether the pass was taken
     * @since 1.2
     */
    public boolean tryEnter() {
        if (!permit.tryAcquire()) {
            return false;
        }
        holder = Thread.currentThread();
        return true;
    }

    /**
     * Takes the pass, waiting at most {@code timeoutNanos} (a teardown waits for a running pass only so long).
     *
     * @return whether the pass was taken
     * @throws InterruptedException if interrupted while waiting
     */
    public boolean enter(long timeoutNanos) throws InterruptedException {
        if (!permit.tryAcquire(timeoutNanos, TimeUnit.NANOSECONDS)) {
            return false;
        }
        holder = Thread.currentThread();
        return true;
    }

    /** Gives the pass up (by its holder, at the end of a pass). */
    public void leave() {
        if (holder != Thread.currentThread()) {
            throw new IllegalStateException("the queue pass is not held by " + Thread.currentThread().getName());
        }
        holder = null;
        permit.release();
    }

    /** Whether the calling thread holds the pass (a teardown from inside a handler call of this pass). */
    public boolean heldByCurrentThread() {
        return holder == Thread.currentThread();
    }

    /** Whether another thread waits to take the pass. */
    public boolean contended() {
        return permit.hasQueuedThreads();
    }

    /** Marks a report into the core in flight (by the holder, just before the call). */
    public void reportStarts() {
        long s = state.get() | REPORTING;
        reportState = s;
        state.set(s);
    }

    /**
     * Ends the report in flight (by the thread that started it, just after the call).
     *
     * @return {@code true} if the pass is still this thread's; {@code false} if it was
     *     {@linkplain #abandonReport() abandoned} meanwhile: the caller must return at once without touching the
     *     queues or calling {@link #leave()}
     */
    public boolean reportEnded() {
        // the holder check first: an abandoned thread must not end its successor's report in flight (the state it
        // would compare is the one the successor wrote in reportState, which the two threads share)
        if (holder == Thread.currentThread() && state.compareAndSet(reportState, reportState & ~REPORTING)) {
            return true;
        }
        blocked.decrementAndGet();
        return false;
    }

    /**
     * Takes the pass away from a thread whose report is in flight (blocked in a handler): the pass stays taken
     * and waits for a successor to {@link #adopt()} it.
     *
     * @return whether a report was in flight and is now abandoned; if so the caller must start a successor
     */
    public boolean abandonReport() {
        long s = state.get();
        if ((s & REPORTING) == 0) {
            return false; // no report in flight (it ended meanwhile): nothing blocks the queues
        }
        if (blocked.incrementAndGet() > maxBlocked) {
            blocked.decrementAndGet();
            refused.incrementAndGet();
            return false;
        }
        if (!state.compareAndSet(s, s + 1)) {
            blocked.decrementAndGet();
            return false;
        }
        holder = null;
        abandoned.incrementAndGet();
        return true;
    }

    /**
     * {@link #abandonReport()}, and if that succeeds a daemon thread named {@code name} that runs
     * {@link #successor(Runnable, Runnable) successor(stepPast, loop)}: it {@linkplain #adopt() adopts} the pass,
     * runs {@code stepPast} (past the record in flight), {@linkplain #leave() leaves} the pass, and then runs
     * {@code loop} (the backend's fault loop).
     *
     * @return the started successor, or {@code null} if no report was abandoned
     */
    public Thread handOver(String name, Runnable stepPast, Runnable loop) {
        Thread[] started = new Thread[1];
        handOver(successor -> {
            Thread thread = new Thread(successor, name);
            thread.setDaemon(true);
            thread.start();
            started[0] = thread;
        }, stepPast, loop);
        return started[0];
    }

    /**
     * {@link #abandonReport()}, and if that succeeds gives {@code start} what the successor runs,
     * {@link #successor(Runnable, Runnable) successor(stepPast, then)}, to run on a fresh thread: a thread the
     * backend starts, or, in a simulation without threads, an actor of its scheduler.
     *
     * @return whether a report was abandoned and its successor given to {@code start}
     * @since 1.1
     */
    public boolean handOver(Consumer<Runnable> start, Runnable stepPast, Runnable then) {
        if (!abandonReport()) {
            return false;
        }
        start.accept(successor(stepPast, then));
        return true;
    }

    /**
     * What the successor of an {@linkplain #abandonReport() abandoned} report runs on its fresh thread: it
     * {@linkplain #adopt() adopts} the pass, runs {@code stepPast} (past the record in flight, which was reported
     * once; the core answers its group), {@linkplain #leave() leaves} the pass, and then runs {@code then} (the
     * backend's fault loop, or a kick of its next pass).
     *
     * @since 1.1
     */
    public Runnable successor(Runnable stepPast, Runnable then) {
        return () -> {
            adopt();
            stepPast.run();
            leave();
            then.run();
        };
    }

    /**
     * A pass by a thread other than the backend's fault thread (a teardown draining the queues before a change of
     * owner), waiting at most {@code timeoutNanos} in all for the pass in progress: takes the pass, runs
     * {@code pass}, and leaves it. {@code pass} returns {@code true} when it ran to its end, or {@code false} when a
     * handler held one of its reports so long that the rest went to a successor ({@link #reportEnded()} said so,
     * and the pass is no longer this thread's): the pass is then taken again, after the successor's, within the
     * same deadline, and {@code pass} runs again.
     *
     * @return {@link Drain#RAN}, or why nothing ran (the calling thread is inside a pass already, the timeout
     *     passed, or the thread was interrupted)
     * @since 1.1
     */
    public Drain passWithin(long timeoutNanos, BooleanSupplier pass) {
        if (heldByCurrentThread()) {
            return Drain.INSIDE_PASS;
        }
        long deadline = System.nanoTime() + timeoutNanos;
        do {
            try {
                if (!enter(Math.max(0, deadline - System.nanoTime()))) {
                    return Drain.TIMED_OUT;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Drain.INTERRUPTED;
            }
        } while (!pass.getAsBoolean());
        leave();
        return Drain.RAN;
    }

    /** Makes the calling thread (a successor started after {@link #abandonReport()}) the holder. */
    public void adopt() {
        holder = Thread.currentThread();
    }

    /** How many reports were abandoned to a successor. */
    public long abandoned() {
        return abandoned.get();
    }

    /** How many abandoned threads are still held by their handlers. */
    public int blocked() {
        return blocked.get();
    }

    /** How many blocked reports were not abandoned because {@code maxBlocked} threads already were. */
    public long refused() {
        return refused.get();
    }
}
