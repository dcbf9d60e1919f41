package dev.faultline.benchmarks;

import com.google.common.eventbus.AllowConcurrentEvents;
import com.google.common.eventbus.EventBus;
import com.google.common.eventbus.Subscribe;

/**
 * Guava's synchronous {@link EventBus}: each sender posts its reused {@link FaultEvent}; one subscriber
 * (thread-safe, {@link AllowConcurrentEvents}) finds the handler by stream id, since EventBus routes by event
 * class only (METHOD.md §7), and records the answer.
 */
final class GuavaEventBus implements DispatchPath {
    private final EventBus bus = new EventBus("faults");

    GuavaEventBus(Workload workload) {
        bus.register(new Router(workload.respondersByStreamId(), workload.responses()));
    }

    @Override
    public Sender sender(int source) {
        FaultEvent event = new FaultEvent();
        return (ring, base) -> {
            event.decode(ring, base);
            bus.post(event);
        };
    }

    @Override
    public void close() {
    }

    /** The one subscriber. */
    static final class Router {
        private final Responder[] bySid;
        private final Responses responses;

        Router(Responder[] bySid, Responses responses) {
            this.bySid = bySid;
            this.responses = responses;
        }

        /** Answers one fault. */
        @Subscribe
        @AllowConcurrentEvents
        public void onFault(FaultEvent event) {
            event.answer(bySid, responses);
        }
    }
}
