package dev.faultline.core.internal.dispatch;

import dev.faultline.api.handler.DeferredTokens;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.internal.answer.HandlerTokens;
import dev.faultline.core.internal.answer.TokenDirectory;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.count.LatencyHistogram;
import dev.faultline.core.internal.hold.Handover;
import dev.faultline.core.internal.route.HandlerRegistration;
import dev.faultline.core.log.RateLimiter;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.jspecify.annotations.Nullable;

/**
 * Everything the core knows about one registered handler: its properties, its counters, whether it is
 * quarantined or gone, its queue if queued. One per service registration.
 */
public final class Handler {
    /** Precedence among handlers of one target: highest {@code service.ranking}, then lowest {@code service.id}. */
    public static final Comparator<Handler> PRECEDENCE = Comparator
            .comparingInt((Handler h) -> -h.registration().ranking())
            .thenComparingLong(h -> h.registration().serviceId());

    public enum State { ACTIVE, QUARANTINED, REFUSED, GONE }

    /** The registered {@code FaultHandler} service this handler calls. */
    public final FaultHandler service;
    /** For a placeholder of a departed handler's target: where its faults wait for a replacement; else null. */
    public final Handover handover;
    /** Handler calls in progress ({@link #enter()} to {@link #exit()}). */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** When a departed handler's clean-up window ends (its held groups are then answered by the core). */
    private volatile long cleanupEndsAt = Long.MAX_VALUE;
    public final Counters counters = Counters.shared();
    /** The answer latency of its timed groups. */
    public final LatencyHistogram latency = new LatencyHistogram();
    public final RateLimiter errorLog;
    /** What counts toward quarantine, each with its own streak and threshold. */
    public enum Failure {
        THROW("throwing calls"), BLOCK("inline calls blocking past inline.block.ms"),
        TIMEOUT("groups answered at their deadline");

        final String what;

        Failure(String what) {
            this.what = what;
        }
    }

    private final AtomicInteger[] streaks = {new AtomicInteger(), new AtomicInteger(), new AtomicInteger()};
    /** When a quarantine ends on its own (probation); {@link Long#MAX_VALUE} until released by hand. */
    private volatile long quarantinedUntil;
    /** Quarantines in a row without a success in between (each doubles the back-off). */
    private int quarantines;
    /** Released after a back-off: the next failure quarantines it again. */
    private volatile boolean probation;
    private final AtomicLong handedOver = new AtomicLong();
    private volatile HandlerRegistration registration;
    private volatile State state = State.ACTIVE;
    /** Why it is refused or quarantined. */
    private volatile String reason = "";
    /** Whether a refusal may be lifted (it was about ownership, not about the properties). */
    private volatile boolean reconsiderable;
    private volatile HandlerQueue queue;
    /** Where it answers the groups it deferred by token; made at its first {@code tokens()}. */
    private volatile @Nullable DeferredTokens tokens;

    public Handler(FaultHandler service, HandlerRegistration registration, RateLimiter errorLog) {
        this(service, registration, errorLog, null);
    }

    private Handler(FaultHandler service, HandlerRegistration registration, RateLimiter errorLog,
            Handover handover) {
        this.service = service;
        this.registration = registration;
        this.errorLog = errorLog;
        this.handover = handover;
    }

    /** The stand-in for {@code departed} on {@code target} while a replacement is awaited, until {@code until}. */
    public static Handler placeholder(Handler departed, String target, long until) {
        HandlerRegistration r = departed.registration;
        HandlerRegistration stand = new HandlerRegistration("(awaiting a replacement for " + r.name() + ")",
                r.bundle(), r.serviceId(), r.ranking(), r.domains(), r.devices(), r.pasids(), r.timeoutMillis(), false,
                r.guest(), java.util.List.of());
        return new Handler(departed.service, stand, departed.errorLog, new Handover(target, r.name(), until, !r.guest().isEmpty()));
    }

    /** Where this handler answers and reads the groups it deferred by token (made once, listed in {@code directory}). */
    public DeferredTokens tokens(TokenDirectory directory) {
        DeferredTokens t = tokens;
        if (t == null) {
            synchronized (this) {
                t = tokens;
                if (t == null) {
                    t = new HandlerTokens(directory, this);
                    tokens = t;
                }
            }
        }
        return t;
    }

    /**
     * Starts a call of the handler; {@code false} (and nothing started) if it departed: {@code handle} is never
     * entered once its departure began. Each successful call is paired with {@link #exit()}.
     */
    public boolean enter() {
        inFlight.incrementAndGet();
        if (state == State.GONE) {
            inFlight.decrementAndGet();
            return false;
        }
        return true;
    }

    public void exit() {
        inFlight.decrementAndGet();
    }

    /** Handler calls in progress. */
    public int inFlight() {
        return inFlight.get();
    }

    public long cleanupEndsAt() {
        return cleanupEndsAt;
    }

    public void cleanupEndsAt(long when) {
        cleanupEndsAt = when;
    }

    public HandlerRegistration registration() {
        return registration;
    }

    public void update(HandlerRegistration newRegistration) {
        registration = newRegistration;
    }

    public State state() {
        return state;
    }

    public boolean active() {
        return state == State.ACTIVE;
    }

    /**
     * Quarantines an active handler for {@code backoffNanos} times two to the number of quarantines in a row
     * (0: until released by hand); {@code false} if it was not active.
     */
    synchronized boolean quarantine(String why, long now, long backoffNanos) {
        if (state != State.ACTIVE) {
            return false;
        }
        state = State.QUARANTINED;
        long backoff = backoffNanos == 0 ? 0 : backoffNanos << Math.min(quarantines, 16);
        quarantines++;
        quarantinedUntil = backoff == 0 ? Long.MAX_VALUE : now + backoff;
        reason = why + (backoff == 0 ? "; until released (faultline:release)"
                : "; released on probation after " + backoff / 1_000_000 + " ms, or by faultline:release");
        probation = false;
        return true;
    }

    /** Whether its quarantine's back-off is over at {@code now}. */
    boolean backoffOver(long now) {
        long until = quarantinedUntil;
        return state == State.QUARANTINED && until != Long.MAX_VALUE && now - until >= 0;
    }

    /**
     * Ends a quarantine: after its back-off on probation (one more failure quarantines it again, for twice as long),
     * by hand without. {@code false} if it was not quarantined.
     */
    public synchronized boolean release(boolean onProbation) {
        if (state != State.QUARANTINED) {
            return false;
        }
        for (AtomicInteger s : streaks) {
            s.set(0);
        }
        state = State.ACTIVE;
        reason = "";
        probation = onProbation;
        if (!onProbation) {
            quarantines = 0;
        }
        return true;
    }

    boolean onProbation() {
        return probation;
    }

    /**
     * Refuses the registration; {@code reconsiderable} if the refusal is about ownership and may be lifted.
     * {@code false} if it is gone.
     */
    public synchronized boolean refuse(String why, boolean mayBeLifted) {
        if (state == State.GONE) {
            return false;
        }
        state = State.REFUSED;
        reason = why;
        reconsiderable = mayBeLifted;
        return true;
    }

    /** Makes a refused (reconsidered) or quarantined (released) handler active; {@code false} if it was not. */
    public synchronized boolean admit() {
        if (state != State.REFUSED && state != State.QUARANTINED) {
            return state == State.ACTIVE;
        }
        state = State.ACTIVE;
        reason = "";
        reconsiderable = false;
        return true;
    }

    /** Whether it is refused for a reason that may be lifted (ownership). */
    public boolean reconsiderable() {
        return state == State.REFUSED && reconsiderable;
    }

    /** Counts a group that waited for this handler (a replacement) and reached it. */
    public void handedOver(long groups) {
        handedOver.addAndGet(groups);
    }

    public long handedOver() {
        return handedOver.get();
    }

    public String reason() {
        return reason;
    }

    /** Marks the handler gone; {@code false} if it was gone already. */
    public synchronized boolean depart() {
        if (state == State.GONE) {
            return false;
        }
        state = State.GONE;
        return true;
    }

    public boolean queued() {
        return queue != null;
    }

    public HandlerQueue queue() {
        return queue;
    }

    public void useQueue(HandlerQueue q) {
        queue = q;
    }

    /** A deadline that never comes (about 73 years), for handlers without one. */
    static final long NEVER_NANOS = Long.MAX_VALUE / 4;

    /** The deadline of its groups ({@link #NEVER_NANOS} for a handler registered without one). */
    public long timeoutNanos(Settings settings) {
        long ms = registration.timeoutMillis();
        if (registration.noDeadline()) {
            return NEVER_NANOS;
        }
        return ms > 0 ? ms * 1_000_000L : settings.defaultTimeoutNanos();
    }

    /** A call returned normally, in time: the throw and block streaks end (written only when there was one). */
    void succeeded() {
        reset(streaks[Failure.THROW.ordinal()]);
        reset(streaks[Failure.BLOCK.ordinal()]);
        if (probation) {
            endProbation();
        }
    }

    /** The handler answered a group itself: the timeout streak ends. */
    public void answeredInTime() {
        reset(streaks[Failure.TIMEOUT.ordinal()]);
    }

    private synchronized void endProbation() {
        probation = false;
        quarantines = 0;
    }

    private static void reset(AtomicInteger streak) {
        if (streak.get() != 0) {
            streak.set(0);
        }
    }

    /** A call threw or blocked, or a group timed out; returns the length of that streak. */
    int failed(Failure kind) {
        return streaks[kind.ordinal()].incrementAndGet();
    }

    public HandlerStatus.State publicState() {
        return switch (state) {
            case QUARANTINED -> HandlerStatus.State.QUARANTINED;
            case REFUSED -> HandlerStatus.State.REFUSED;
            default -> HandlerStatus.State.ACTIVE;
        };
    }

    /** "name (bundle b, service.id n)", for log lines. */
    public String describe() {
        HandlerRegistration r = registration;
        return r.name() + " (bundle " + r.bundle() + ", service.id " + r.serviceId() + ")";
    }

    @Override
    public String toString() {
        return describe();
    }
}
