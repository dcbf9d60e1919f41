package dev.faultline.benchmarks;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.BundleException;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.event.EventHandler;
import org.osgi.service.event.EventProperties;

/**
 * Felix EventAdmin in a real framework, each handler an {@link EventHandler} service registered for the topics of
 * its devices (one topic per device). The sender decodes and sends an event on the device's topic, carrying a
 * reused {@link FaultEvent} in prebuilt {@link EventProperties} (the cheapest plausible use; topics are
 * precomputed).
 *
 * <p>{@link Delivery#SEND}: {@code sendEvent}, the handler answers before it returns. {@link Delivery#POST}:
 * {@code postEvent} with at most {@value #WINDOW} faults in flight per sender (a completion counter), each in
 * its own preallocated slot.
 */
final class FelixEventAdmin implements DispatchPath {
    /** Faults in flight per sender for {@link Delivery#POST}. */
    static final int WINDOW = 1024;
    private static final String TOPIC_PREFIX = "faultline/fault/";
    private static final String FAULT = "fault";

    /** The EventAdmin call used. */
    enum Delivery { SEND, POST }

    private final EmbeddedEventAdmin framework;
    private final EventAdmin admin;
    private final Delivery delivery;
    private final String[] topicBySid;
    private final List<PostSender> posters = new CopyOnWriteArrayList<>();

    FelixEventAdmin(Workload workload, Delivery delivery, int timeoutMs) throws IOException, BundleException {
        this.delivery = delivery;
        framework = new EmbeddedEventAdmin(timeoutMs);
        admin = framework.eventAdmin();
        topicBySid = new String[1 << 16];
        List<List<String>> topicsOfHandler = new ArrayList<>();
        for (int h = 0; h < workload.handlers(); h++) {
            topicsOfHandler.add(new ArrayList<>());
        }
        for (int d = 0; d < workload.devices(); d++) {
            int sid = workload.streamId(d);
            topicBySid[sid] = TOPIC_PREFIX + Integer.toHexString(sid);
            topicsOfHandler.get(workload.responderOf(d).id()).add(topicBySid[sid]);
        }
        for (int h = 0; h < workload.handlers(); h++) {
            framework.register(new TopicHandler(workload.responder(h), workload.responses()),
                    topicsOfHandler.get(h).toArray(String[]::new));
        }
    }

    @Override
    public Sender sender(int source) {
        if (delivery == Delivery.SEND) {
            FaultEvent fault = new FaultEvent();
            EventProperties properties = new EventProperties(Map.of(FAULT, fault));
            return (ring, base) -> {
                fault.decode(ring, base);
                admin.sendEvent(new Event(topic(fault.streamId), properties));
            };
        }
        PostSender poster = new PostSender();
        posters.add(poster);
        return poster;
    }

    private String topic(int sid) {
        String topic = topicBySid[sid];
        return topic != null ? topic : TOPIC_PREFIX + "unknown";
    }

    @Override
    public void drain(long timeoutNanos) throws TimeoutException {
        for (PostSender p : posters) {
            Backoff.await(() -> p.completion.get() == p.posted, timeoutNanos,
                    (p.posted - p.completion.get()) + " posted events undelivered");
        }
    }

    @Override
    public void close() {
        framework.close();
    }

    /** One sender's window of preallocated events for {@code postEvent}. */
    private final class PostSender implements Sender {
        private final FaultEvent[] slots = new FaultEvent[WINDOW];
        private final EventProperties[] properties = new EventProperties[WINDOW];
        private final AtomicLong completion = new AtomicLong();
        private long posted;

        PostSender() {
            for (int i = 0; i < WINDOW; i++) {
                slots[i] = new FaultEvent();
                slots[i].completion = completion;
                properties[i] = new EventProperties(Map.of(FAULT, slots[i]));
            }
        }

        @Override
        public void dispatch(long[] ring, int base) {
            for (int attempt = 0; posted - completion.get() >= WINDOW; attempt++) {
                Backoff.pause(attempt);
            }
            int slot = (int) (posted & (WINDOW - 1));
            FaultEvent fault = slots[slot];
            fault.decode(ring, base);
            posted++;
            admin.postEvent(new Event(topic(fault.streamId), properties[slot]));
        }
    }

    /** One handler: answers the faults of the topics (devices) it is registered for. */
    static final class TopicHandler implements EventHandler {
        private final Responder responder;
        private final Responses responses;

        TopicHandler(Responder responder, Responses responses) {
            this.responder = responder;
            this.responses = responses;
        }

        @Override
        public void handleEvent(Event event) {
            FaultEvent fault = (FaultEvent) event.getProperty(FAULT);
            responses.record(fault.stag, responder.answer(fault.stag, fault.address, fault.read));
            AtomicLong completion = fault.completion;
            if (completion != null) {
                completion.incrementAndGet();
            }
        }
    }
}
