package dev.faultline.core.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.function.Consumer;

/**
 * The bounded queue and thread of one handler registered with {@code faultline.dispatch=queued}: the
 * reporting thread only offers, so a slow or blocked handler delays its own groups, never another device's.
 */
final class HandlerQueue {
    private final ArrayBlockingQueue<HeldGroup> queue;
    private final Thread worker;
    private volatile boolean stopped;

    HandlerQueue(String name, int depth, Consumer<HeldGroup> call) {
        queue = new ArrayBlockingQueue<>(depth);
        worker = new Thread(() -> run(call), "faultline-handler-" + name);
        worker.setDaemon(true);
    }

    void start() {
        worker.start();
    }

    /** Queues a group without waiting; {@code false} if the queue is full or stopped. */
    boolean offer(HeldGroup group) {
        return !stopped && queue.offer(group);
    }

    int size() {
        return queue.size();
    }

    /** Stops the thread after its current call; returns the groups still queued (the caller routes them). */
    List<HeldGroup> stop() {
        stopped = true;
        worker.interrupt();
        List<HeldGroup> left = new ArrayList<>();
        queue.drainTo(left);
        return left;
    }

    /** Whether {@code t} is this queue's thread. */
    boolean isWorker(Thread t) {
        return t == worker;
    }

    private void run(Consumer<HeldGroup> call) {
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
