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
 * <p>What it guarantees: every group it defers is answered once: by the worker, or, when the handler is
 * {@linkplain #close() closed} before the worker got to it, by the handler that replaces it (the group is
 * {@linkplain DeferredGroup#handBack() handed back} to the core, which answers it {@code INVALID} only if no
 * replacement comes). An answer the core rejects (the group's deadline passed and the core answered it) is counted
 * in {@link #late()}.
 *
 * <p>Register it as a {@link FaultHandler} service with the properties of
 * {@link dev.faultline.api.handler.HandlerProperties} (a deadline in {@code faultline.timeout.ms} that covers
 * the slow path), and close it after unregistering it: in a DS component, from {@code @Deactivate}, which runs
 * after the core stopped calling {@code handle} (the service is unregistered first) and while the core still
 * accepts the component's answers and hand-backs as its own (the clean-up window).
 * <pre>{@code
 * @Deactivate
 * void deactivate() {
 *     faults.close(); // hands what the worker has not started back to the replacement; nothing is answered twice
 * }
 * }</pre>
 */
public final class DeferredFaults implements FaultHandler, AutoCloseable {
    private final SlowPath slowPath;
    private final ExecutorService worker;
    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong late = new AtomicLong();
    private final AtomicLong unrecoverable = new AtomicLong();
    private final AtomicLong handedBack = new AtomicLong();

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

    /**
     * Stops the worker and hands the groups it has not started back to the core, for the handler that replaces this
     * one; the group the worker is resolving is still answered by it. A group that still reaches a closed handler is
     * answered {@code INVALID}.
     */
    @Override
    public void close() {
        for (Runnable queued : worker.shutdownNow()) {
            if (queued instanceof Answer answer && answer.group().handBack()) {
                handedBack.incrementAndGet();
            }
        }
    }

    /** Groups handed back to the core by {@link #close()}. */
    public long handedBack() {
        return handedBack.get();
    }
}
