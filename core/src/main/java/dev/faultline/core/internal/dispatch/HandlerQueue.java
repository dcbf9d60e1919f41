package dev.faultline.core.internal.dispatch;

import dev.faultline.core.internal.answer.HeldGroup;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;

/**
 * The bounded queue and thread of one handler registered with {@code faultline.dispatch=queued}: the
 * reporting thread only offers, so a slow or blocked handler delays its own groups, never another device's.
 *
 * <p>A deterministic simulation runs the queue without a thread ({@link #HandlerQueue(String, int, Consumer,
 * Consumer)}): each offer tells the simulation's scheduler, which serves the queue with {@link #serveOne()} when
 * it chooses.
 */
public final class HandlerQueue {
    private final ArrayBlockingQueue<HeldGroup> queue;
    private final Consumer<HeldGroup> call;
    private final Thread worker;
    private final Consumer<HandlerQueue> offered;
    /** The thread inside {@link #serveOne()} (a queue without a thread of its own), else null. */
    private volatile Thread serving;
    private volatile boolean stopped;

    public HandlerQueue(String name, int depth, Consumer<HeldGroup> call) {
        this(name, depth, call, null);
    }

    /**
     * A queue served by its own thread, or, with {@code offered} non-null, by whoever calls {@link #serveOne()}
     * after {@code offered} told it that a group was queued.
     */
    public HandlerQueue(String name, int depth, Consumer<HeldGroup> call, Consumer<HandlerQueue> offered) {
        queue = new ArrayBlockingQueue<>(depth);
        this.call = call;
        this.offered = offered;
        if (offered == null) {
            worker = new Thread(this::run, "faultline-handler-" + name);
            worker.setDaemon(true);
        } else {
            worker = null;
        }
    }

    public void start() {
        if (worker != null) {
            worker.start();
        }
    }

    /** Queues a group without waiting; {@code false} if the queue is full or stopped. */
    boolean offer(HeldGroup group) {
        if (stopped || !queue.offer(group)) {
            return false;
        }
        if (offered != null) {
            offered.accept(this);
        }
        return true;
    }

    int size() {
        return queue.size();
    }

    /**
     * Serves the oldest queued group on the calling thread, as the queue's thread would (a queue without a thread
     * of its own).
     *
     * @return whether there was one
     */
    public boolean serveOne() {
        HeldGroup g = stopped ? null : queue.poll();
        if (g == null) {
            return false;
        }
        serving = Thread.currentThread();
        try {
            call.accept(g);
        } finally {
            serving = null;
        }
        return true;
    }

    /** Stops the thread after its current call; returns the groups still queued (the caller routes them). */
    public List<HeldGroup> stop() {
        stopped = true;
        if (worker != null) {
            worker.interrupt();
        }
        List<HeldGroup> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /** Whether {@code t} is the thread serving this queue. */
    public boolean isWorker(Thread t) {
        return t == worker || t == serving;
    }

    private void run() {
        while (!stopped) {
            HeldGroup g;
            try {
                g = queue.take();
            } catch (InterruptedException e) {
                return;
            }
            if (!stopped) {
                call.accept(g);
            }
        }
    }
}
