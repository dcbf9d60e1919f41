package dev.faultline.examples.deferred;

import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A handler that answers from another thread: on the fault thread it only {@link FaultGroup#defer() defers} the
 * group and queues it; its own worker thread runs the {@link SlowPath} and answers the
 * {@link DeferredGroup}. Unrecoverable faults need no answer and are only counted.
 *
 * <p>What it guarantees: every group it defers is answered once: by the worker, or {@code INVALID} when the
 * handler is {@linkplain #close() closed} before the worker got to it. An answer the core rejects (the group's
 * deadline passed and the core answered it) is counted in {@link #late()}.
 *
 * <p>Register it as a {@link FaultHandler} service with the properties of
 * {@link dev.faultline.api.handler.HandlerProperties} (a deadline in {@code faultline.timeout.ms} that covers
 * the slow path), and close it when unregistering.
 */
public final class DeferredFaults implements FaultHandler, AutoCloseable {
    private final SlowPath slowPath;
    private final ExecutorService worker;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong unrecoverable = new AtomicLong();

    /**
     * @param slowPath what decides each answer
     * @param threadName the worker thread's name (shown in thread dumps)
     */
    public DeferredFaults(SlowPath slowPath, String threadName) {
        this.slowPath = slowPath;
        this.worker = Executors.newSingleThreadExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Defers the group to the worker; returns at once. */
    @Override
    public void handle(FaultGroup group) {
        if (!group.recoverable()) {
            unrecoverable.incrementAndGet();
            return;
        }
        Answer answer = new Answer(this, group.defer());
        try {
            worker.execute(answer);
        } catch (RejectedExecutionException closing) {
            answer(answer.group(), ResponseCode.INVALID);
        }
    }

    /** One deferred group waiting for the worker. */
    private record Answer(DeferredFaults handler, DeferredGroup group) implements Runnable {
        @Override
        public void run() {
            ResponseCode code;
            try {
                code = handler.slowPath.resolve(group);
            } catch (Exception e) {
                code = ResponseCode.FAILURE;
            }
            handler.answer(group, code);
        }
    }

    private void answer(DeferredGroup group, ResponseCode code) {
        if (group.respond(code)) {
            answered.incrementAndGet();
        } else {
            late.incrementAndGet();
        }
    }

    /** Groups this handler answered. */
    public long answered() {
        return answered.get();
    }

    /** Answers the core rejected because the group had been answered already (its deadline passed). */
    public long late() {
        return late.get();
    }

    /** Unrecoverable faults delivered. */
    public long unrecoverable() {
        return unrecoverable.get();
    }

    /** Stops the worker and answers the groups still queued {@code INVALID}; later groups too. */
    @Override
    public void close() {
        for (Runnable queued : worker.shutdownNow()) {
            if (queued instanceof Answer answer) {
                answer(answer.group(), ResponseCode.INVALID);
            }
        }
    }
}
