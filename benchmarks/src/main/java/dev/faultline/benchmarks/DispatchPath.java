package dev.faultline.benchmarks;

import java.util.concurrent.TimeoutException;

/**
 * One way of connecting decode, lookup, handler call and response (a direct call, a bus, a ring, EventAdmin,
 * Faultline's core), built over a {@link Workload} and answering into its {@link Responses}.
 */
interface DispatchPath extends AutoCloseable {

    /** A sender for fault source {@code source}, to be used by one thread. */
    Sender sender(int source);

    /**
     * Waits until every fault dispatched so far has been answered. Synchronous paths answer before
     * {@link Sender#dispatch} returns and return at once.
     *
     * @throws TimeoutException if faults are still unanswered after {@code timeoutNanos}
     */
    default void drain(long timeoutNanos) throws TimeoutException, InterruptedException {
    }

    /** Stops the path's threads and frameworks. */
    @Override
    void close();
}
