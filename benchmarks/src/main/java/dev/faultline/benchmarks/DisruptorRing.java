package dev.faultline.benchmarks;

import com.lmax.disruptor.EventHandler;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.Sequence;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import java.util.concurrent.TimeoutException;

/**
 * An LMAX Disruptor pipeline: the sender decodes into a preallocated ring slot and publishes; one consumer
 * thread (yielding wait strategy) finds the handler, calls it and records the answer. Single producer, so one
 * benchmark thread.
 *
 * <p>{@link Mode#ROUND_TRIP}: the sender waits for the answer of each fault (what a synchronous hand-off
 * costs). {@link Mode#PIPELINED}: the sender never waits for answers; the ring's {@value #WINDOW} slots bound the
 * faults in flight, so faults published per second equal faults answered per second to within the window.
 */
final class DisruptorRing implements DispatchPath {
    /** Ring size: the bound on faults in flight. */
    static final int WINDOW = 1024;

    /** Whether the sender waits for each answer. */
    enum Mode { ROUND_TRIP, PIPELINED }

    private final Disruptor<FaultEvent> disruptor;
    private final RingBuffer<FaultEvent> ring;
    private final Sequence answered = new Sequence(-1);
    private final boolean roundTrip;

    DisruptorRing(Workload workload, Mode mode) {
        this.roundTrip = mode == Mode.ROUND_TRIP;
        Responder[] bySid = workload.respondersByStreamId();
        Responses responses = workload.responses();
        disruptor = new Disruptor<>(FaultEvent::new, WINDOW, r -> {
            Thread t = new Thread(r, "disruptor-consumer");
            t.setDaemon(true);
            return t;
        }, ProducerType.SINGLE, new YieldingWaitStrategy());
        EventHandler<FaultEvent> consumer = (event, sequence, endOfBatch) -> {
            event.answer(bySid, responses);
            answered.set(sequence);
        };
        disruptor.handleEventsWith(consumer);
        ring = disruptor.start();
    }

    @Override
    public Sender sender(int source) {
        return this::publish;
    }

    private void publish(long[] records, int base) {
        long sequence = ring.next();
        ring.get(sequence).decode(records, base);
        ring.publish(sequence);
        if (roundTrip) {
            for (int attempt = 0; answered.get() < sequence; attempt++) {
                Backoff.pause(attempt);
            }
        }
    }

    @Override
    public void drain(long timeoutNanos) throws TimeoutException {
        long last = ring.getCursor();
        Backoff.await(() -> answered.get() >= last, timeoutNanos,
                (last - answered.get()) + " faults in the ring");
    }

    @Override
    public void close() {
        disruptor.halt();
    }
}
