package dev.faultline.benchmarks;

import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.YieldingWaitStrategy;
import com.lmax.disruptor.dsl.Disruptor;
import com.lmax.disruptor.dsl.ProducerType;
import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.fault.StreamId;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.core.standalone.StandaloneCore;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Faultline's real core: each fault source is one IOMMU (its own backend and fault thread, as on hardware); the
 * backend decodes the record, finds the device's {@link DevicePort} in its own stream-id table and reports a
 * last-page request; the core groups, routes it through the device's attached domain to the domain's handler,
 * and the handler's answer comes back through {@link IommuBackend#sendPageResponse}, which records it.
 *
 * <p>Handlers: {@link Handling#INLINE} answers inside {@code handle}; {@link Handling#DEFERRED} calls
 * {@link FaultGroup#defer()} and hands the group to a worker thread (through a ring) that answers it;
 * {@link Handling#DEFERRED_TOKEN} does the same with {@link FaultGroup#deferToken()}, handing the token on;
 * {@link Handling#QUEUED} is registered {@code faultline.dispatch=queued}, so the core copies the group into the
 * handler's queue and the handler answers on its own thread. The asynchronous ones are measured as a round trip
 * (the source waits for each answer) or pipelined (at most {@value #WINDOW} faults in flight per source).
 */
final class FaultlineCore implements DispatchPath {
    /** Faults in flight per source when pipelined, as for the Disruptor and EventAdmin postEvent. */
    static final int WINDOW = 1024;
    private static final String DOMAIN_PREFIX = "bench-domain-";

    /** What the handlers do. */
    enum Handling { INLINE, DEFERRED, DEFERRED_TOKEN, QUEUED }

    /** Whether a source waits for each answer (asynchronous handling only). */
    enum Flow { ROUND_TRIP, PIPELINED }

    private final StandaloneCore core;
    private final Handling handling;
    private final boolean roundTrip;
    private final List<Iommu> iommus = new ArrayList<>();
    private final Disruptor<Handoff> worker;

    FaultlineCore(Workload workload, Handling handling, Flow flow) {
        this.handling = handling;
        this.roundTrip = flow == Flow.ROUND_TRIP;
        core = StandaloneCore.builder().queueDepth(2 * WINDOW).start();
        RingBuffer<Handoff> handoff = null;
        boolean deferring = handling == Handling.DEFERRED || handling == Handling.DEFERRED_TOKEN;
        if (deferring) {
            worker = new Disruptor<>(Handoff::new, WINDOW, r -> {
                Thread t = new Thread(r, "deferred-answers");
                t.setDaemon(true);
                return t;
            }, ProducerType.SINGLE, new YieldingWaitStrategy());
            worker.handleEventsWith((slot, sequence, endOfBatch) -> slot.answer());
            handoff = worker.start();
        } else {
            worker = null;
        }
        for (int h = 0; h < workload.handlers(); h++) {
            Responder responder = workload.responder(h);
            FaultHandler handler = deferring
                    ? new DeferringHandler(responder, handoff, handling == Handling.DEFERRED_TOKEN)
                    : new AnsweringHandler(responder);
            core.register(handler, Map.of(HandlerProperties.DOMAIN, DOMAIN_PREFIX + h, HandlerProperties.DISPATCH,
                    handling == Handling.QUEUED ? HandlerProperties.DISPATCH_QUEUED : HandlerProperties.DISPATCH_INLINE));
        }
        for (int s = 0; s < workload.sources(); s++) {
            Iommu iommu = new Iommu("bench-smmu" + s, workload.responses(), handling != Handling.INLINE);
            IommuPort port = core.pipeline().connect(iommu);
            for (int d = s * workload.devicesPerSource(); d < (s + 1) * workload.devicesPerSource(); d++) {
                int sid = workload.streamId(d);
                DevicePort device = port.addDevice(new StreamId(sid));
                device.attach(Pasid.NONE, Domain.dma(DOMAIN_PREFIX + workload.responderOf(d).id()));
                iommu.bySid[sid] = device;
            }
            iommus.add(iommu);
        }
    }

    /** The core's statistics, as a monitor reads them. */
    FaultStatistics statistics() {
        return core.statistics();
    }

    @Override
    public Sender sender(int source) {
        Iommu iommu = iommus.get(source);
        if (handling == Handling.INLINE) {
            return iommu::report;
        }
        return roundTrip ? iommu::reportAndAwait : iommu::reportWindowed;
    }

    @Override
    public void drain(long timeoutNanos) throws TimeoutException {
        for (Iommu iommu : iommus) {
            if (iommu.answered != null) {
                Backoff.await(() -> iommu.answered.get() == iommu.reported, timeoutNanos,
                        (iommu.reported - iommu.answered.get()) + " faults unanswered on " + iommu.name);
            }
        }
    }

    @Override
    public void close() {
        core.close();
        if (worker != null) {
            worker.halt();
        }
    }

    /**
     * One IOMMU's backend: decodes its records and reports them; records the answers the core sends back (and,
     * for asynchronous handlers, counts them so that its fault thread can bound or await them).
     */
    private static final class Iommu implements IommuBackend {
        final String name;
        final DevicePort[] bySid = new DevicePort[1 << 16];
        final Responses responses;
        final AtomicLong answered;
        long reported;

        Iommu(String name, Responses responses, boolean counting) {
            this.name = name;
            this.responses = responses;
            this.answered = counting ? new AtomicLong() : null;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public void sendPageResponse(DeviceId device, PageResponse response) {
            responses.record(response.groupId(), response.code().value());
            if (answered != null) {
                answered.incrementAndGet();
            }
        }

        void report(long[] ring, int base) {
            int sid = StallRecord.streamId(ring, base);
            int stag = StallRecord.stag(ring, base);
            DevicePort device = sid < bySid.length ? bySid[sid] : null;
            if (device == null) {
                responses.record(stag, ResponseCode.INVALID.value());
                return;
            }
            device.reportPageRequest(Pasid.NONE, stag, PageRequest.FLAG_LAST_PAGE,
                    StallRecord.read(ring, base) ? Permissions.READ : Permissions.WRITE,
                    StallRecord.address(ring, base), 0, 0);
        }

        void reportWindowed(long[] ring, int base) {
            for (int attempt = 0; reported - answered.get() >= WINDOW; attempt++) {
                Backoff.pause(attempt);
            }
            reported++;
            report(ring, base);
        }

        void reportAndAwait(long[] ring, int base) {
            long mine = ++reported;
            report(ring, base);
            for (int attempt = 0; answered.get() < mine; attempt++) {
                Backoff.pause(attempt);
            }
        }
    }

    /** Answers inside {@code handle}, from the group's in-place accessors (no allocation). */
    private static final class AnsweringHandler implements FaultHandler {
        private final Responder responder;

        AnsweringHandler(Responder responder) {
            this.responder = responder;
        }

        @Override
        public void handle(FaultGroup group) {
            int last = group.size() - 1;
            int code = responder.answer(group.groupId(), group.address(last), group.permissions(last).read());
            group.respond(code == Responder.SUCCESS ? ResponseCode.SUCCESS : ResponseCode.INVALID);
        }
    }

    /** Defers every group (as an object, or by token) and hands it to the worker thread. */
    private static final class DeferringHandler implements FaultHandler {
        private final Responder responder;
        private final RingBuffer<Handoff> handoff;
        private final boolean byToken;

        DeferringHandler(Responder responder, RingBuffer<Handoff> handoff, boolean byToken) {
            this.responder = responder;
            this.handoff = handoff;
            this.byToken = byToken;
        }

        @Override
        public void handle(FaultGroup group) {
            long sequence = handoff.next();
            Handoff slot = handoff.get(sequence);
            if (byToken) {
                slot.tokens = group.tokens();
                slot.token = group.deferToken();
            } else {
                slot.group = group.defer();
            }
            slot.responder = responder;
            handoff.publish(sequence);
        }
    }

    /** A deferred group on its way to the worker: its handle, or its token and the handler's tokens. */
    private static final class Handoff {
        DeferredGroup group;
        DeferredTokens tokens;
        long token;
        Responder responder;

        void answer() {
            DeferredGroup g = group;
            if (g == null) {
                long t = token;
                int last = tokens.size(t) - 1;
                int code = responder.answer(tokens.groupId(t), tokens.address(t, last), tokens.permissions(t, last).read());
                tokens.respond(t, code == Responder.SUCCESS ? ResponseCode.SUCCESS : ResponseCode.INVALID);
                return;
            }
            group = null;
            int last = g.size() - 1;
            int code = responder.answer(g.groupId(), g.address(last), g.permissions(last).read());
            g.respond(code == Responder.SUCCESS ? ResponseCode.SUCCESS : ResponseCode.INVALID);
        }
    }
}
