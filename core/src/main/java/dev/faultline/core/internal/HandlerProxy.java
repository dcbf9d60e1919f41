package dev.faultline.core.internal;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.log.RateLimiter;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Everything the core knows about one registered handler: its properties, its counters, whether it is
 * quarantined or gone, its queue if queued. One per service registration.
 */
final class HandlerProxy {
    /** Precedence among handlers of one target: highest {@code service.ranking}, then lowest {@code service.id}. */
    static final Comparator<HandlerProxy> PRECEDENCE = Comparator
            .comparingInt((HandlerProxy h) -> -h.registration().ranking())
            .thenComparingLong(h -> h.registration().serviceId());

    enum State { ACTIVE, QUARANTINED, REFUSED, GONE }

    final FaultHandler handler;
    /** For a placeholder of a departed handler's target: where its faults wait for a replacement; else null. */
    final Handover handover;
    /** Handler calls in progress ({@link #enter()} to {@link #exit()}). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** When a departed handler's clean-up window ends (its held groups are then answered by the core). */
    private volatile long cleanupEndsAt = Long.MAX_VALUE;
    final Counters counters = Counters.shared();
    final RateLimiter errorLog;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicLong handedOver = new AtomicLong();
    private volatile HandlerRegistration registration;
    private volatile State state = State.ACTIVE;
    /** Why it is refused or quarantined. */
    private volatile String reason = "";
    /** Whether a refusal may be lifted (it was about ownership, not about the properties). */
    private volatile boolean reconsiderable;
    private volatile HandlerQueue queue;

    HandlerProxy(FaultHandler handler, HandlerRegistration registration, RateLimiter errorLog) {
        this(handler, registration, errorLog, null);
    }

    private HandlerProxy(FaultHandler handler, HandlerRegistration registration, RateLimiter errorLog,
            Handover handover) {
        this.handler = handler;
        this.registration = registration;
        this.errorLog = errorLog;
        this.handover = handover;
    }

    /** The stand-in for {@code departed} on {@code target} while a replacement is awaited, until {@code until}. */
    static HandlerProxy placeholder(HandlerProxy departed, String target, long until) {
        HandlerRegistration r = departed.registration;
        HandlerRegistration stand = new HandlerRegistration("(awaiting a replacement for " + r.name() + ")",
                r.bundle(), r.serviceId(), r.ranking(), r.domains(), r.devices(), r.pasids(), r.timeoutMillis(), false,
                r.guest(), java.util.List.of());
        return new HandlerProxy(departed.handler, stand, departed.errorLog, new Handover(target, r.name(), until));
    }

    /**
     * Starts a call of the handler; {@code false} (and nothing started) if it departed: {@code handle} is never
     * entered once its departure began. Each successful call is paired with {@link #exit()}.
     */
    boolean enter() {
        inFlight.incrementAndGet();
        if (state == State.GONE) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    void exit() {
        inFlight.decrementAndGet();
    }

    /** Handler calls in progress. */
    int inFlight() {
        return inFlight.get();
    }

    long cleanupEndsAt() {
        return cleanupEndsAt;
    }

    void cleanupEndsAt(long when) {
        cleanupEndsAt = when;
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
    synchronized boolean quarantine(String why) {
        if (state != State.ACTIVE) {
            return false;
        }
        state = State.QUARANTINED;
        reason = why;
        return true;
    }

    /**
     * Refuses the registration; {@code reconsiderable} if the refusal is about ownership and may be lifted.
     * {@code false} if it is gone.
     */
    synchronized boolean refuse(String why, boolean mayBeLifted) {
        if (state == State.GONE) {
            return false;
        }
        state = State.REFUSED;
        reason = why;
        reconsiderable = mayBeLifted;
        return true;
    }

    /** Makes a refused (reconsidered) or quarantined (released) handler active; {@code false} if it was not. */
    synchronized boolean admit() {
        if (state != State.REFUSED && state != State.QUARANTINED) {
            return state == State.ACTIVE;
        }
        state = State.ACTIVE;
        reason = "";
        reconsiderable = false;
        return true;
    }

    /** Whether it is refused for a reason that may be lifted (ownership). */
    boolean reconsiderable() {
        return state == State.REFUSED && reconsiderable;
    }

    /** Counts a group that waited for this handler (a replacement) and reached it. */
    void handedOver(long groups) {
        handedOver.addAndGet(groups);
    }

    long handedOver() {
        return handedOver.get();
    }

    String reason() {
        return reason;
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
        return switch (state) {
            case QUARANTINED -> HandlerStatus.State.QUARANTINED;
            case REFUSED -> HandlerStatus.State.REFUSED;
            default -> HandlerStatus.State.ACTIVE;
        };
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
