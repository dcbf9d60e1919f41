package dev.faultline.core.internal.hold;

import dev.faultline.core.internal.answer.HeldGroup;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * Answers held groups at their deadline, on one thread for the whole core. Only held (deferred or queued)
 * groups are watched, so answering inline costs the watchdog nothing. The same thread periodically runs a
 * scan (the core uses it to find inline handler calls that block).
 *
 * <p>Tests drive it without its thread: {@link #expireDue(long)} and the scan take the time as an argument.
 */
public final class DeadlineWatchdog {
    private static final int PURGE_THRESHOLD = 1024;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final PriorityQueue<HeldGroup> byDeadline =
            new PriorityQueue<>(Comparator.comparingLong(HeldGroup::deadlineNanos));
    private final Ticker ticker;
    private final Consumer<HeldGroup> onExpiry;
    private final LongConsumer scan;
    private volatile long scanPeriodNanos;
    private volatile boolean running;
    private Thread thread;

    public DeadlineWatchdog(Ticker ticker, Consumer<HeldGroup> onExpiry, LongConsumer scan, long scanPeriodNanos) {
        this.ticker = ticker;
        this.onExpiry = onExpiry;
        this.scan = scan;
        this.scanPeriodNanos = scanPeriodNanos;
    }

    public void setScanPeriodNanos(long nanos) {
        scanPeriodNanos = nanos;
    }

    /** Watches {@code group} until its deadline. */
    public void watch(HeldGroup group) {
        lock.lock();
        try {
            if (byDeadline.size() >= PURGE_THRESHOLD) {
                byDeadline.removeIf(HeldGroup::answered);
            }
            byDeadline.add(group);
            if (byDeadline.peek() == group) {
                changed.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Groups watched (answered ones may linger until their deadline or a purge). */
    int watched() {
        lock.lock();
        try {
            return byDeadline.size();
        } finally {
            lock.unlock();
        }
    }

    /** Hands every unanswered group whose deadline is at or before {@code now} to the expiry action. */
    public int expireDue(long now) {
        List<HeldGroup> due = new ArrayList<>();
        lock.lock();
        try {
            HeldGroup head;
            while ((head = byDeadline.peek()) != null && head.deadlineNanos() - now <= 0) {
                due.add(byDeadline.poll());
            }
        } finally {
            lock.unlock();
        }
        int n = 0;
        for (HeldGroup g : due) {
            if (!g.answered()) {
                onExpiry.accept(g);
                n++;
            }
        }
        return n;
    }

    /** Runs the scan at {@code now} (what the thread does every scan period). */
    public void scan(long now) {
        scan.accept(now);
    }

    /** Starts the watchdog thread. */
    public synchronized void start() {
        if (thread != null) {
            return;
        }
        running = true;
        thread = new Thread(this::run, "faultline-deadline-watchdog");
        thread.setDaemon(true);
        thread.start();
    }

    /** Stops the thread; groups still watched are left to their owners. */
    public synchronized void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
            thread = null;
        }
    }

    private void run() {
        long lastScan = ticker.nanoTime();
        while (running) {
            lock.lock();
            try {
                long now = ticker.nanoTime();
                HeldGroup head = byDeadline.peek();
                long wait = scanPeriodNanos - (now - lastScan);
                if (head != null) {
                    wait = Math.min(wait, head.deadlineNanos() - now);
                }
                if (wait > 0) {
                    changed.await(wait, TimeUnit.NANOSECONDS);
                }
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            long now = ticker.nanoTime();
            expireDue(now);
            if (now - lastScan >= scanPeriodNanos) {
                lastScan = now;
                scan(now);
            }
        }
    }
}
