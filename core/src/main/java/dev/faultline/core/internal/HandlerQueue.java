package dev.faultline.core.internal;

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

    /** Stops the thread after its current call; queued groups are left for the caller to answer. */
    void stop() {
        stopped = true;
        worker.interrupt();
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
