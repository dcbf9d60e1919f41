package dev.faultline.api.stats;

import java.util.Objects;

/**
 * One set of counters: a device's, a handler's, or the core's totals.
 *
 * <p>Each reported fault has exactly one outcome (the {@link dev.faultline.api.backend.ReportOutcome} the
 * backend got), and each page request group formed is answered exactly once, so at rest
 * <pre>
 * reported == parked + droppedPartials + dispatched + delivered + noHandler + rejected
 * groups   == answeredSuccess + answeredInvalid + answeredFailure + pending
 * </pre>
 * ({@link #balanced()}). For a handler, {@code reported} counts the faults routed to it.
 *
 * <p>A value: built with {@link #builder()} (or {@link #toBuilder()} from another), compared by its values. New
 * values are added as accessors and builder methods in a minor version; what a builder is not told is 0 (or
 * empty).
 *
 * <p><b>Size.</b> Its size is one accessor and one builder method per counter; the value's shape is the API.
 *
 * @since 1.0
 */
public final class FaultCounts {
    private final long reported;
    private final long parked;
    private final long droppedPartials;
    private final long discardedPartials;
    private final long dispatched;
    private final long delivered;
    private final long noHandler;
    private final long rejected;
    private final long groups;
    private final long answeredSuccess;
    private final long answeredInvalid;
    private final long answeredFailure;
    private final long pending;
    private final long timedOut;
    private final long abandoned;
    private final long handlerErrors;
    private final long slowCalls;
    private final long duplicates;
    private final long queueFull;
    private final long lostResponses;
    private final long answeredAtDetach;
    private final long staleAnswers;
    private final long answeredAtRemoval;
    private final long answeredAtDeparture;
    private final long mixedPasid;

    private FaultCounts(Builder b) {
        this.reported = b.reported;
        this.parked = b.parked;
        this.droppedPartials = b.droppedPartials;
        this.discardedPartials = b.discardedPartials;
        this.dispatched = b.dispatched;
        this.delivered = b.delivered;
        this.noHandler = b.noHandler;
        this.rejected = b.rejected;
        this.groups = b.groups;
        this.answeredSuccess = b.answeredSuccess;
        this.answeredInvalid = b.answeredInvalid;
        this.answeredFailure = b.answeredFailure;
        this.pending = b.pending;
        this.timedOut = b.timedOut;
        this.abandoned = b.abandoned;
        this.handlerErrors = b.handlerErrors;
        this.slowCalls = b.slowCalls;
        this.duplicates = b.duplicates;
        this.queueFull = b.queueFull;
        this.lostResponses = b.lostResponses;
        this.answeredAtDetach = b.answeredAtDetach;
        this.staleAnswers = b.staleAnswers;
        this.answeredAtRemoval = b.answeredAtRemoval;
        this.answeredAtDeparture = b.answeredAtDeparture;
        this.mixedPasid = b.mixedPasid;
    }

    /** A builder with every value 0 (lists empty). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.reported = reported;
        b.parked = parked;
        b.droppedPartials = droppedPartials;
        b.discardedPartials = discardedPartials;
        b.dispatched = dispatched;
        b.delivered = delivered;
        b.noHandler = noHandler;
        b.rejected = rejected;
        b.groups = groups;
        b.answeredSuccess = answeredSuccess;
        b.answeredInvalid = answeredInvalid;
        b.answeredFailure = answeredFailure;
        b.pending = pending;
        b.timedOut = timedOut;
        b.abandoned = abandoned;
        b.handlerErrors = handlerErrors;
        b.slowCalls = slowCalls;
        b.duplicates = duplicates;
        b.queueFull = queueFull;
        b.lostResponses = lostResponses;
        b.answeredAtDetach = answeredAtDetach;
        b.staleAnswers = staleAnswers;
        b.answeredAtRemoval = answeredAtRemoval;
        b.answeredAtDeparture = answeredAtDeparture;
        b.mixedPasid = mixedPasid;
        return b;
    }

    /** Faults reported (page requests and unrecoverable faults). */
    public long reported() {
        return reported;
    }

    /** Partial page requests parked until their group's last request. */
    public long parked() {
        return parked;
    }

    /** Partial page requests dropped because a bound on parked requests was hit. */
    public long droppedPartials() {
        return droppedPartials;
    }

    /** Parked requests discarded later (queue overflow, device removal, disconnect). */
    public long discardedPartials() {
        return discardedPartials;
    }

    /** Last-page requests whose group went to a handler. */
    public long dispatched() {
        return dispatched;
    }

    /** Unrecoverable faults delivered to a handler. */
    public long delivered() {
        return delivered;
    }

    /** Faults nobody serves (groups answered INVALID). */
    public long noHandler() {
        return noHandler;
    }

    /** Malformed faults and faults of removed devices. */
    public long rejected() {
        return rejected;
    }

    /** Page request groups formed (one per last-page request). */
    public long groups() {
        return groups;
    }

    /** Groups answered SUCCESS. */
    public long answeredSuccess() {
        return answeredSuccess;
    }

    /** Groups answered INVALID (by a handler, or by the core). */
    public long answeredInvalid() {
        return answeredInvalid;
    }

    /** Groups answered FAILURE. */
    public long answeredFailure() {
        return answeredFailure;
    }

    /** Groups not yet answered (in a handler call, deferred, or queued). */
    public long pending() {
        return pending;
    }

    /** Deferred or queued groups the core answered at their deadline. */
    public long timedOut() {
        return timedOut;
    }

    /** Groups a handler neither answered nor deferred (answered INVALID). */
    public long abandoned() {
        return abandoned;
    }

    /** Handler calls that threw (their groups answered FAILURE). */
    public long handlerErrors() {
        return handlerErrors;
    }

    /** Inline handler calls still running past the core's blocking threshold. */
    public long slowCalls() {
        return slowCalls;
    }

    /** Answers rejected because the group was already answered. */
    public long duplicates() {
        return duplicates;
    }

    /** Groups a queued handler's full queue could not take (answered FAILURE by default). */
    public long queueFull() {
        return queueFull;
    }

    /** Answers the backend could not send (it threw, or had disconnected). */
    public long lostResponses() {
        return lostResponses;
    }

    /**
     * Groups a change of owner (detach, replace, nested re-attach, PASID teardown) answered INVALID before it returned,
     * because they were formed under the old attachment (also in answeredInvalid).
     */
    public long answeredAtDetach() {
        return answeredAtDetach;
    }

    /**
     * Answers refused because the group's owner changed before they came: the group was answered INVALID on the new
     * owner's behalf, and the stale answer never reached the hardware.
     */
    public long staleAnswers() {
        return staleAnswers;
    }

    /**
     * Groups answered INVALID because their device was removed or its IOMMU's backend left (also in answeredInvalid).
     */
    public long answeredAtRemoval() {
        return answeredAtRemoval;
    }

    /** Groups answered INVALID because their handler left (also in answeredInvalid). */
    public long answeredAtDeparture() {
        return answeredAtDeparture;
    }

    /**
     * Partial page requests parked under a group index that a parked request of another PASID of the same device
     * already uses (the requests are kept apart: each PASID's group forms on its own last request).
     */
    public long mixedPasid() {
        return mixedPasid;
    }

    /** Groups answered, by any code. */
    public long answered() {
        return answeredSuccess + answeredInvalid + answeredFailure;
    }

    /** The sum of the report outcomes; equals {@link #reported()} at rest. */
    public long outcomes() {
        return parked + droppedPartials + dispatched + delivered + noHandler + rejected;
    }

    /** Whether every reported fault has an outcome and every group is answered or pending. */
    public boolean balanced() {
        return reported == outcomes() && groups == answered() + pending;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof FaultCounts other)) {
            return false;
        }
        return reported == other.reported
                && parked == other.parked
                && droppedPartials == other.droppedPartials
                && discardedPartials == other.discardedPartials
                && dispatched == other.dispatched
                && delivered == other.delivered
                && noHandler == other.noHandler
                && rejected == other.rejected
                && groups == other.groups
                && answeredSuccess == other.answeredSuccess
                && answeredInvalid == other.answeredInvalid
                && answeredFailure == other.answeredFailure
                && pending == other.pending
                && timedOut == other.timedOut
                && abandoned == other.abandoned
                && handlerErrors == other.handlerErrors
                && slowCalls == other.slowCalls
                && duplicates == other.duplicates
                && queueFull == other.queueFull
                && lostResponses == other.lostResponses
                && answeredAtDetach == other.answeredAtDetach
                && staleAnswers == other.staleAnswers
                && answeredAtRemoval == other.answeredAtRemoval
                && answeredAtDeparture == other.answeredAtDeparture
                && mixedPasid == other.mixedPasid;
    }

    @Override
    public int hashCode() {
        return Objects.hash(reported, parked, droppedPartials, discardedPartials, dispatched, delivered, noHandler,
                rejected, groups, answeredSuccess, answeredInvalid, answeredFailure, pending, timedOut, abandoned,
                handlerErrors, slowCalls, duplicates, queueFull, lostResponses, answeredAtDetach, staleAnswers,
                answeredAtRemoval, answeredAtDeparture, mixedPasid);
    }

    @Override
    public String toString() {
        return "FaultCounts[reported=" + reported + ", parked=" + parked + ", droppedPartials=" + droppedPartials
                + ", discardedPartials=" + discardedPartials + ", dispatched=" + dispatched
                + ", delivered=" + delivered + ", noHandler=" + noHandler + ", rejected=" + rejected
                + ", groups=" + groups + ", answeredSuccess=" + answeredSuccess
                + ", answeredInvalid=" + answeredInvalid + ", answeredFailure=" + answeredFailure
                + ", pending=" + pending + ", timedOut=" + timedOut + ", abandoned=" + abandoned
                + ", handlerErrors=" + handlerErrors + ", slowCalls=" + slowCalls + ", duplicates=" + duplicates
                + ", queueFull=" + queueFull + ", lostResponses=" + lostResponses
                + ", answeredAtDetach=" + answeredAtDetach + ", staleAnswers=" + staleAnswers
                + ", answeredAtRemoval=" + answeredAtRemoval + ", answeredAtDeparture=" + answeredAtDeparture
                + ", mixedPasid=" + mixedPasid + "]";
    }

    /** Collects the values of a {@link FaultCounts}; not thread-safe. */
    public static final class Builder {
        private long reported;
        private long parked;
        private long droppedPartials;
        private long discardedPartials;
        private long dispatched;
        private long delivered;
        private long noHandler;
        private long rejected;
        private long groups;
        private long answeredSuccess;
        private long answeredInvalid;
        private long answeredFailure;
        private long pending;
        private long timedOut;
        private long abandoned;
        private long handlerErrors;
        private long slowCalls;
        private long duplicates;
        private long queueFull;
        private long lostResponses;
        private long answeredAtDetach;
        private long staleAnswers;
        private long answeredAtRemoval;
        private long answeredAtDeparture;
        private long mixedPasid;

        private Builder() {
        }

        /** Sets faults reported (page requests and unrecoverable faults). */
        public Builder reported(long value) {
            this.reported = value;
            return this;
        }

        /** Sets partial page requests parked until their group's last request. */
        public Builder parked(long value) {
            this.parked = value;
            return this;
        }

        /** Sets partial page requests dropped because a bound on parked requests was hit. */
        public Builder droppedPartials(long value) {
            this.droppedPartials = value;
            return this;
        }

        /** Sets parked requests discarded later (queue overflow, device removal, disconnect). */
        public Builder discardedPartials(long value) {
            this.discardedPartials = value;
            return this;
        }

        /** Sets last-page requests whose group went to a handler. */
        public Builder dispatched(long value) {
            this.dispatched = value;
            return this;
        }

        /** Sets unrecoverable faults delivered to a handler. */
        public Builder delivered(long value) {
            this.delivered = value;
            return this;
        }

        /** Sets faults nobody serves (groups answered INVALID). */
        public Builder noHandler(long value) {
            this.noHandler = value;
            return this;
        }

        /** Sets malformed faults and faults of removed devices. */
        public Builder rejected(long value) {
            this.rejected = value;
            return this;
        }

        /** Sets page request groups formed (one per last-page request). */
        public Builder groups(long value) {
            this.groups = value;
            return this;
        }

        /** Sets groups answered SUCCESS. */
        public Builder answeredSuccess(long value) {
            this.answeredSuccess = value;
            return this;
        }

        /** Sets groups answered INVALID (by a handler, or by the core). */
        public Builder answeredInvalid(long value) {
            this.answeredInvalid = value;
            return this;
        }

        /** Sets groups answered FAILURE. */
        public Builder answeredFailure(long value) {
            this.answeredFailure = value;
            return this;
        }

        /** Sets groups not yet answered (in a handler call, deferred, or queued). */
        public Builder pending(long value) {
            this.pending = value;
            return this;
        }

        /** Sets deferred or queued groups the core answered at their deadline. */
        public Builder timedOut(long value) {
            this.timedOut = value;
            return this;
        }

        /** Sets groups a handler neither answered nor deferred (answered INVALID). */
        public Builder abandoned(long value) {
            this.abandoned = value;
            return this;
        }

        /** Sets handler calls that threw (their groups answered FAILURE). */
        public Builder handlerErrors(long value) {
            this.handlerErrors = value;
            return this;
        }

        /** Sets inline handler calls still running past the core's blocking threshold. */
        public Builder slowCalls(long value) {
            this.slowCalls = value;
            return this;
        }

        /** Sets answers rejected because the group was already answered. */
        public Builder duplicates(long value) {
            this.duplicates = value;
            return this;
        }

        /** Sets groups a queued handler's full queue could not take (answered FAILURE by default). */
        public Builder queueFull(long value) {
            this.queueFull = value;
            return this;
        }

        /** Sets answers the backend could not send (it threw, or had disconnected). */
        public Builder lostResponses(long value) {
            this.lostResponses = value;
            return this;
        }

        /**
         * Sets groups a change of owner (detach, replace, nested re-attach, PASID teardown) answered INVALID before it
         * returned, because they were formed under the old attachment (also in answeredInvalid).
         */
        public Builder answeredAtDetach(long value) {
            this.answeredAtDetach = value;
            return this;
        }

        /**
         * Sets answers refused because the group's owner changed before they came: the group was answered INVALID on
         * the new owner's behalf, and the stale answer never reached the hardware.
         */
        public Builder staleAnswers(long value) {
            this.staleAnswers = value;
            return this;
        }

        /**
         * Sets groups answered INVALID because their device was removed or its IOMMU's backend left (also in
         * answeredInvalid).
         */
        public Builder answeredAtRemoval(long value) {
            this.answeredAtRemoval = value;
            return this;
        }

        /** Sets groups answered INVALID because their handler left (also in answeredInvalid). */
        public Builder answeredAtDeparture(long value) {
            this.answeredAtDeparture = value;
            return this;
        }

        /**
         * Sets partial page requests parked under a group index that a parked request of another PASID of the same
         * device already uses (the requests are kept apart: each PASID's group forms on its own last request).
         */
        public Builder mixedPasid(long value) {
            this.mixedPasid = value;
            return this;
        }

        /** The value. */
        public FaultCounts build() {
            return new FaultCounts(this);
        }
    }
}
