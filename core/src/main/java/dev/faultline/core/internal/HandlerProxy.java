package dev.faultline.core.internal;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.log.RateLimiter;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything the core knows about one registered handler: its properties, its counters, whether it is
 * quarantined or gone, its queue if queued. One per service registration.
 */
final class HandlerProxy {
    /** Precedence among handlers of one target: highest {@code service.ranking}, then lowest {@code service.id}. */
    static final Comparator<HandlerProxy> PRECEDENCE = Comparator
            .comparingInt((HandlerProxy h) -> -h.registration().ranking())
            .thenComparingLong(h -> h.registration().serviceId());

    enum State { ACTIVE, QUARANTINED, GONE }

    final FaultHandler handler;
    final Counters counters = Counters.shared();
    final RateLimiter errorLog;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private volatile HandlerRegistration registration;
    private volatile State state = State.ACTIVE;
    private volatile HandlerQueue queue;

    HandlerProxy(FaultHandler handler, HandlerRegistration registration, RateLimiter errorLog) {
        this.handler = handler;
        this.registration = registration;
        this.errorLog = errorLog;
    }

    HandlerRegistration registration() {
        return registration;
    }

    void update(HandlerRegistration newRegistration) {
        registration = newRegistration;
    }

    State state() {
        return state;
    }

    boolean active() {
        return state == State.ACTIVE;
    }

    /** Quarantines an active handler; {@code false} if it was not active. */
    synchronized boolean quarantine() {
        if (state != State.ACTIVE) {
            return false;
        }
        state = State.QUARANTINED;
        return true;
    }

    /** Marks the handler gone; {@code false} if it was gone already. */
    synchronized boolean depart() {
        if (state == State.GONE) {
            return false;
        }
        state = State.GONE;
        return true;
    }

    boolean queued() {
        return queue != null;
    }

    HandlerQueue queue() {
        return queue;
    }

    void useQueue(HandlerQueue q) {
        queue = q;
    }

    /** The deadline of its held groups. */
    long timeoutNanos(Settings settings) {
        long ms = registration.timeoutMillis();
        return ms > 0 ? ms * 1_000_000L : settings.defaultTimeoutNanos();
    }

    /** A call returned normally: the failure streak ends (written only when there was one). */
    void succeeded() {
        if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0);
        }
    }

    /** A call threw or blocked; returns the length of the failure streak. */
    int failed() {
        return consecutiveFailures.incrementAndGet();
    }

    HandlerStatus.State publicState() {
        return state == State.QUARANTINED ? HandlerStatus.State.QUARANTINED : HandlerStatus.State.ACTIVE;
    }

    /** "name (bundle b, service.id n)", for log lines. */
    String describe() {
        HandlerRegistration r = registration;
        return r.name() + " (bundle " + r.bundle() + ", service.id " + r.serviceId() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
