package dev.faultline.core.queue;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

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
    /** How many abandoned threads may still be held by their handlers, by default. */
    public static final int DEFAULT_MAX_BLOCKED = 16;
    private static final long REPORTING = 1;

    private final int maxBlocked;
    private final Semaphore permit = new Semaphore(1);
    /** A generation (bits 63:1), bumped by each abandonment, and {@link #REPORTING} (bit 0). */
    private final AtomicLong state = new AtomicLong();
    private volatile Thread holder;
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
        if (state.compareAndSet(reportState, reportState & ~REPORTING)) {
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
     * {@link #abandonReport()}, and if that succeeds a daemon thread named {@code name} that {@linkplain #adopt()
     * adopts} the pass, runs {@code stepPast} (past the record in flight), {@linkplain #leave() leaves} the pass,
     * and then runs {@code loop} (the backend's fault loop).
     *
     * @return the started successor, or {@code null} if no report was abandoned
     */
    public Thread handOver(String name, Runnable stepPast, Runnable loop) {
        if (!abandonReport()) {
            return null;
        }
        Thread successor = new Thread(() -> {
            adopt();
            stepPast.run();
            leave();
            loop.run();
        }, name);
        successor.setDaemon(true);
        successor.start();
        return successor;
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
