package dev.faultline.api.stats;

import java.util.List;
import java.util.Objects;

/**
 * One registered {@link dev.faultline.api.handler.FaultHandler}.
 *
 * <p>A value: built with {@link #builder()} (or {@link #toBuilder()} from another), compared by its values. New
 * values are added as accessors and builder methods in a minor version; what a builder is not told is 0 (or
 * empty).
 *
 * @since 1.0
 */
public final class HandlerStatus {
    private final String name;
    private final String bundle;
    private final long serviceId;
    private final int ranking;
    private final List<String> domains;
    private final List<String> devices;
    private final List<Integer> pasids;
    private final String dispatch;
    private final long timeoutMillis;
    private final State state;
    private final FaultCounts counts;
    private final String reason;
    private final List<String> standing;
    private final long handedOver;
    private final AnswerLatency answerLatency;

    private HandlerStatus(Builder b) {
        this.name = b.name;
        this.bundle = b.bundle;
        this.serviceId = b.serviceId;
        this.ranking = b.ranking;
        this.domains = b.domains;
        this.devices = b.devices;
        this.pasids = b.pasids;
        this.dispatch = b.dispatch;
        this.timeoutMillis = b.timeoutMillis;
        this.state = b.state;
        this.counts = b.counts;
        this.reason = b.reason;
        this.standing = b.standing;
        this.handedOver = b.handedOver;
        this.answerLatency = b.answerLatency;
    }

    /** A builder with every value 0 (lists empty). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.bundle = bundle;
        b.serviceId = serviceId;
        b.ranking = ranking;
        b.domains = domains;
        b.devices = devices;
        b.pasids = pasids;
        b.dispatch = dispatch;
        b.timeoutMillis = timeoutMillis;
        b.state = state;
        b.counts = counts;
        b.reason = reason;
        b.standing = standing;
        b.handedOver = handedOver;
        b.answerLatency = answerLatency;
        return b;
    }

    /** The component name (or class name) of the handler. */
    public String name() {
        return name;
    }

    /** The symbolic name of the bundle that registered it. */
    public String bundle() {
        return bundle;
    }

    /** Its {@code service.id}. */
    public long serviceId() {
        return serviceId;
    }

    /** Its {@code service.ranking}. */
    public int ranking() {
        return ranking;
    }

    /** The domain names it serves. */
    public List<String> domains() {
        return domains;
    }

    /** The canonical ids of the devices it serves. */
    public List<String> devices() {
        return devices;
    }

    /** The PASIDs it is restricted to with its devices; empty for all. */
    public List<Integer> pasids() {
        return pasids;
    }

    /** {@code inline} or {@code queued}. */
    public String dispatch() {
        return dispatch;
    }

    /** The deadline of its deferred groups. */
    public long timeoutMillis() {
        return timeoutMillis;
    }

    /** Whether it receives faults. */
    public State state() {
        return state;
    }

    /** The faults dispatched to it and how they were answered. */
    public FaultCounts counts() {
        return counts;
    }

    /** Why it is {@link State#REFUSED} or {@link State#QUARANTINED}; empty when {@link State#ACTIVE}. */
    public String reason() {
        return reason;
    }

    /**
     * For an active handler, per target whether it serves it or which handler outranks it (e.g.
     * {@code "device 0000:00:03.0: serves"}, {@code "domain gpu0: behind gpu-main (ranking 5, service.id 40)"}).
     */
    public List<String> standing() {
        return standing;
    }

    /** Groups that waited for this handler while it replaced a departed one, and reached it. */
    public long handedOver() {
        return handedOver;
    }

    /**
     * The latency from receipt to answer of the page request groups routed to it (a sample, see
     * {@link AnswerLatency}).
     *
     * @since 1.2
     */
    public AnswerLatency answerLatency() {
        return answerLatency;
    }

    /** Whether a handler receives faults. */
    public enum State {
        /** Faults are routed to it. */
        ACTIVE,
        /**
         * It threw, blocked or timed out too often in a row; faults are routed as if it were not registered until it
         * is released (after its back-off, or by {@code faultline:release}).
         */
        QUARANTINED,
        /**
         * Its registration was refused (malformed or unknown {@code faultline.*} property, no usable target, or a
         * target owned by another bundle); it never receives faults. {@link HandlerStatus#reason()} says why.
         *
         * @since 1.1
         */
        REFUSED
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof HandlerStatus other)) {
            return false;
        }
        return Objects.equals(name, other.name)
                && Objects.equals(bundle, other.bundle)
                && serviceId == other.serviceId
                && ranking == other.ranking
                && Objects.equals(domains, other.domains)
                && Objects.equals(devices, other.devices)
                && Objects.equals(pasids, other.pasids)
                && Objects.equals(dispatch, other.dispatch)
                && timeoutMillis == other.timeoutMillis
                && Objects.equals(state, other.state)
                && Objects.equals(counts, other.counts)
                && Objects.equals(reason, other.reason)
                && Objects.equals(standing, other.standing)
                && handedOver == other.handedOver
                && answerLatency.equals(other.answerLatency);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, bundle, serviceId, ranking, domains, devices, pasids, dispatch, timeoutMillis,
                state, counts, reason, standing, handedOver, answerLatency);
    }

    @Override
    public String toString() {
        return "HandlerStatus[name=" + name + ", bundle=" + bundle + ", serviceId=" + serviceId
                + ", ranking=" + ranking + ", domains=" + domains + ", devices=" + devices + ", pasids=" + pasids
                + ", dispatch=" + dispatch + ", timeoutMillis=" + timeoutMillis + ", state=" + state
                + ", counts=" + counts + ", reason=" + reason + ", standing=" + standing
                + ", handedOver=" + handedOver + ", answerLatency=" + answerLatency + "]";
    }

    /** Collects the values of a {@link HandlerStatus}; not thread-safe. */
    public static final class Builder {
        private String name = "";
        private String bundle = "";
        private long serviceId;
        private int ranking;
        private List<String> domains = List.of();
        private List<String> devices = List.of();
        private List<Integer> pasids = List.of();
        private String dispatch = "inline";
        private long timeoutMillis;
        private State state = State.ACTIVE;
        private FaultCounts counts = FaultCounts.builder().build();
        private String reason = "";
        private List<String> standing = List.of();
        private long handedOver;
        private AnswerLatency answerLatency = AnswerLatency.none();

        private Builder() {
        }

        /** Sets the component name (or class name) of the handler. */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** Sets the symbolic name of the bundle that registered it. */
        public Builder bundle(String value) {
            this.bundle = Objects.requireNonNull(value, "bundle");
            return this;
        }

        /** Sets its {@code service.id}. */
        public Builder serviceId(long value) {
            this.serviceId = value;
            return this;
        }

        /** Sets its {@code service.ranking}. */
        public Builder ranking(int value) {
            this.ranking = value;
            return this;
        }

        /** Sets the domain names it serves. */
        public Builder domains(List<String> value) {
            this.domains = List.copyOf(value);
            return this;
        }

        /** Sets the canonical ids of the devices it serves. */
        public Builder devices(List<String> value) {
            this.devices = List.copyOf(value);
            return this;
        }

        /** Sets the PASIDs it is restricted to with its devices; empty for all. */
        public Builder pasids(List<Integer> value) {
            this.pasids = List.copyOf(value);
            return this;
        }

        /** Sets {@code inline} or {@code queued}. */
        public Builder dispatch(String value) {
            this.dispatch = Objects.requireNonNull(value, "dispatch");
            return this;
        }

        /** Sets the deadline of its deferred groups. */
        public Builder timeoutMillis(long value) {
            this.timeoutMillis = value;
            return this;
        }

        /** Sets whether it receives faults. */
        public Builder state(State value) {
            this.state = Objects.requireNonNull(value, "state");
            return this;
        }

        /** Sets the faults dispatched to it and how they were answered. */
        public Builder counts(FaultCounts value) {
            this.counts = Objects.requireNonNull(value, "counts");
            return this;
        }

        /** Sets why it is {@link State#REFUSED} or {@link State#QUARANTINED}; empty when {@link State#ACTIVE}. */
        public Builder reason(String value) {
            this.reason = Objects.requireNonNull(value, "reason");
            return this;
        }

        /**
         * Sets, for an active handler, per target whether it serves it or which handler outranks it (e.g.
         * {@code "device 0000:00:03.0: serves"}, {@code "domain gpu0: behind gpu-main (ranking 5, service.id 40)"}).
         */
        public Builder standing(List<String> value) {
            this.standing = List.copyOf(value);
            return this;
        }

        /** Sets groups that waited for this handler while it replaced a departed one, and reached it. */
        public Builder handedOver(long value) {
            this.handedOver = value;
            return this;
        }

        /**
         * Sets the latency from receipt to answer of the page request groups routed to it.
         *
         * @since 1.2
         */
        public Builder answerLatency(AnswerLatency value) {
            this.answerLatency = Objects.requireNonNull(value, "answerLatency");
            return this;
        }

        /** The value. */
        public HandlerStatus build() {
            return new HandlerStatus(this);
        }
    }
}
