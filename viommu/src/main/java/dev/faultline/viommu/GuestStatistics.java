package dev.faultline.viommu;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Counters of one guest's virtual IOMMU since it was created. For every fault routed to the guest,
 * {@code routed == delivered + lost + droppedUnknownDevice + droppedClosed}, where {@code lost} is the sum of
 * the counts of the {@link LostEvents} markers queued.
 *
 * <p>A value: built with {@link #builder()} (or {@link #toBuilder()} from another), compared by its values. New
 * values are added as accessors and builder methods in a minor version; what a builder is not told is 0 (or
 * empty).
 *
 * @since 1.0
 */
public final class GuestStatistics {
    private final long routed;
    private final long delivered;
    private final long pageRequestGroups;
    private final long unrecoverable;
    private final long lost;
    private final long rateLimited;
    private final long queueFull;
    private final long pendingFull;
    private final long droppedUnknownDevice;
    private final long droppedClosed;
    private final long answeredForGuest;
    private final long accepted;
    private final long invalidCode;
    private final long forged;
    private final long replayed;
    private final long late;
    private final long reasonDisagreements;
    private final long staleWalks;
    private final int queued;
    private final int pending;

    private GuestStatistics(Builder b) {
        this.routed = b.routed;
        this.delivered = b.delivered;
        this.pageRequestGroups = b.pageRequestGroups;
        this.unrecoverable = b.unrecoverable;
        this.lost = b.lost;
        this.rateLimited = b.rateLimited;
        this.queueFull = b.queueFull;
        this.pendingFull = b.pendingFull;
        this.droppedUnknownDevice = b.droppedUnknownDevice;
        this.droppedClosed = b.droppedClosed;
        this.answeredForGuest = b.answeredForGuest;
        this.accepted = b.accepted;
        this.invalidCode = b.invalidCode;
        this.forged = b.forged;
        this.replayed = b.replayed;
        this.late = b.late;
        this.reasonDisagreements = b.reasonDisagreements;
        this.staleWalks = b.staleWalks;
        this.queued = b.queued;
        this.pending = b.pending;
    }

    /** A builder with every value 0 (lists empty). */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.routed = routed;
        b.delivered = delivered;
        b.pageRequestGroups = pageRequestGroups;
        b.unrecoverable = unrecoverable;
        b.lost = lost;
        b.rateLimited = rateLimited;
        b.queueFull = queueFull;
        b.pendingFull = pendingFull;
        b.droppedUnknownDevice = droppedUnknownDevice;
        b.droppedClosed = droppedClosed;
        b.answeredForGuest = answeredForGuest;
        b.accepted = accepted;
        b.invalidCode = invalidCode;
        b.forged = forged;
        b.replayed = replayed;
        b.late = late;
        b.reasonDisagreements = reasonDisagreements;
        b.staleWalks = staleWalks;
        b.queued = queued;
        b.pending = pending;
        return b;
    }

    /** Faults (page request groups and unrecoverable faults) the core handed to the guest. */
    public long routed() {
        return routed;
    }

    /** Events queued for the guest ({@code pageRequestGroups + unrecoverable}). */
    public long delivered() {
        return delivered;
    }

    /** Page request groups queued. */
    public long pageRequestGroups() {
        return pageRequestGroups;
    }

    /** Unrecoverable faults queued. */
    public long unrecoverable() {
        return unrecoverable;
    }

    /** Events not queued for lack of rate, room or pending slots. */
    public long lost() {
        return lost;
    }

    /** Of {@code lost}: over the guest's rate. */
    public long rateLimited() {
        return rateLimited;
    }

    /** Of {@code lost}: queue at its depth. */
    public long queueFull() {
        return queueFull;
    }

    /** Of {@code lost}: page request groups over the bound on unanswered groups. */
    public long pendingFull() {
        return pendingFull;
    }

    /** Faults of a device the guest has no virtual id for (not queued, not counted lost). */
    public long droppedUnknownDevice() {
        return droppedUnknownDevice;
    }

    /** Faults that arrived after the guest closed. */
    public long droppedClosed() {
        return droppedClosed;
    }

    /** Page request groups the host answered INVALID for the guest (dropped, detached, closed). */
    public long answeredForGuest() {
        return answeredForGuest;
    }

    /** Guest answers sent to the device. */
    public long accepted() {
        return accepted;
    }

    /** Guest answers with a code other than SUCCESS or INVALID. */
    public long invalidCode() {
        return invalidCode;
    }

    /** Guest answers naming a group the guest never received. */
    public long forged() {
        return forged;
    }

    /** Guest answers to a group already answered by the guest. */
    public long replayed() {
        return replayed;
    }

    /** Guest answers to a group the host had answered first. */
    public long late() {
        return late;
    }

    /** Unrecoverable faults whose hardware-reported reason differs from the derived one. */
    public long reasonDisagreements() {
        return reasonDisagreements;
    }

    /**
     * Unrecoverable faults whose walk of the guest's tables now succeeds: the guest changed its tables between the
     * fault and the walk (each is still delivered, as a translation fault).
     */
    public long staleWalks() {
        return staleWalks;
    }

    /** Entries now in the queue (events and markers). */
    public int queued() {
        return queued;
    }

    /** Groups now awaiting the guest's answer. */
    public int pending() {
        return pending;
    }

    /**
     * Every counter by name, in a fixed order (the order of the accessors), for tools that list them all: a counter
     * added in a later version appears here without a change to them.
     */
    public Map<String, Long> counters() {
        Map<String, Long> values = new LinkedHashMap<>();
        values.put("routed", routed);
        values.put("delivered", delivered);
        values.put("pageRequestGroups", pageRequestGroups);
        values.put("unrecoverable", unrecoverable);
        values.put("lost", lost);
        values.put("rateLimited", rateLimited);
        values.put("queueFull", queueFull);
        values.put("pendingFull", pendingFull);
        values.put("droppedUnknownDevice", droppedUnknownDevice);
        values.put("droppedClosed", droppedClosed);
        values.put("answeredForGuest", answeredForGuest);
        values.put("accepted", accepted);
        values.put("invalidCode", invalidCode);
        values.put("forged", forged);
        values.put("replayed", replayed);
        values.put("late", late);
        values.put("reasonDisagreements", reasonDisagreements);
        values.put("staleWalks", staleWalks);
        values.put("queued", (long) queued);
        values.put("pending", (long) pending);
        return Collections.unmodifiableMap(values);
    }

    /** All guest answers rejected ({@code invalidCode + forged + replayed + late}). */
    public long rejectedAnswers() {
        return invalidCode + forged + replayed + late;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof GuestStatistics other)) {
            return false;
        }
        return routed == other.routed
                && delivered == other.delivered
                && pageRequestGroups == other.pageRequestGroups
                && unrecoverable == other.unrecoverable
                && lost == other.lost
                && rateLimited == other.rateLimited
                && queueFull == other.queueFull
                && pendingFull == other.pendingFull
                && droppedUnknownDevice == other.droppedUnknownDevice
                && droppedClosed == other.droppedClosed
                && answeredForGuest == other.answeredForGuest
                && accepted == other.accepted
                && invalidCode == other.invalidCode
                && forged == other.forged
                && replayed == other.replayed
                && late == other.late
                && reasonDisagreements == other.reasonDisagreements
                && staleWalks == other.staleWalks
                && queued == other.queued
                && pending == other.pending;
    }

    @Override
    public int hashCode() {
        return Objects.hash(routed, delivered, pageRequestGroups, unrecoverable, lost, rateLimited, queueFull,
                pendingFull, droppedUnknownDevice, droppedClosed, answeredForGuest, accepted, invalidCode, forged,
                replayed, late, reasonDisagreements, staleWalks, queued, pending);
    }

    @Override
    public String toString() {
        return "GuestStatistics[routed=" + routed + ", delivered=" + delivered
                + ", pageRequestGroups=" + pageRequestGroups + ", unrecoverable=" + unrecoverable + ", lost=" + lost
                + ", rateLimited=" + rateLimited + ", queueFull=" + queueFull + ", pendingFull=" + pendingFull
                + ", droppedUnknownDevice=" + droppedUnknownDevice + ", droppedClosed=" + droppedClosed
                + ", answeredForGuest=" + answeredForGuest + ", accepted=" + accepted + ", invalidCode=" + invalidCode
                + ", forged=" + forged + ", replayed=" + replayed + ", late=" + late
                + ", reasonDisagreements=" + reasonDisagreements + ", staleWalks=" + staleWalks + ", queued=" + queued
                + ", pending=" + pending + "]";
    }

    /** Collects the values of a {@link GuestStatistics}; not thread-safe. */
    public static final class Builder {
        private long routed;
        private long delivered;
        private long pageRequestGroups;
        private long unrecoverable;
        private long lost;
        private long rateLimited;
        private long queueFull;
        private long pendingFull;
        private long droppedUnknownDevice;
        private long droppedClosed;
        private long answeredForGuest;
        private long accepted;
        private long invalidCode;
        private long forged;
        private long replayed;
        private long late;
        private long reasonDisagreements;
        private long staleWalks;
        private int queued;
        private int pending;

        private Builder() {
        }

        /** Sets faults (page request groups and unrecoverable faults) the core handed to the guest. */
        public Builder routed(long value) {
            this.routed = value;
            return this;
        }

        /** Sets events queued for the guest ({@code pageRequestGroups + unrecoverable}). */
        public Builder delivered(long value) {
            this.delivered = value;
            return this;
        }

        /** Sets page request groups queued. */
        public Builder pageRequestGroups(long value) {
            this.pageRequestGroups = value;
            return this;
        }

        /** Sets unrecoverable faults queued. */
        public Builder unrecoverable(long value) {
            this.unrecoverable = value;
            return this;
        }

        /** Sets events not queued for lack of rate, room or pending slots. */
        public Builder lost(long value) {
            this.lost = value;
            return this;
        }

        /** Sets of {@code lost}: over the guest's rate. */
        public Builder rateLimited(long value) {
            this.rateLimited = value;
            return this;
        }

        /** Sets of {@code lost}: queue at its depth. */
        public Builder queueFull(long value) {
            this.queueFull = value;
            return this;
        }

        /** Sets of {@code lost}: page request groups over the bound on unanswered groups. */
        public Builder pendingFull(long value) {
            this.pendingFull = value;
            return this;
        }

        /** Sets faults of a device the guest has no virtual id for (not queued, not counted lost). */
        public Builder droppedUnknownDevice(long value) {
            this.droppedUnknownDevice = value;
            return this;
        }

        /** Sets faults that arrived after the guest closed. */
        public Builder droppedClosed(long value) {
            this.droppedClosed = value;
            return this;
        }

        /** Sets page request groups the host answered INVALID for the guest (dropped, detached, closed). */
        public Builder answeredForGuest(long value) {
            this.answeredForGuest = value;
            return this;
        }

        /** Sets guest answers sent to the device. */
        public Builder accepted(long value) {
            this.accepted = value;
            return this;
        }

        /** Sets guest answers with a code other than SUCCESS or INVALID. */
        public Builder invalidCode(long value) {
            this.invalidCode = value;
            return this;
        }

        /** Sets guest answers naming a group the guest never received. */
        public Builder forged(long value) {
            this.forged = value;
            return this;
        }

        /** Sets guest answers to a group already answered by the guest. */
        public Builder replayed(long value) {
            this.replayed = value;
            return this;
        }

        /** Sets guest answers to a group the host had answered first. */
        public Builder late(long value) {
            this.late = value;
            return this;
        }

        /** Sets unrecoverable faults whose hardware-reported reason differs from the derived one. */
        public Builder reasonDisagreements(long value) {
            this.reasonDisagreements = value;
            return this;
        }

        /**
         * Sets unrecoverable faults whose walk of the guest's tables now succeeds: the guest changed its tables between
         * the fault and the walk (each is still delivered, as a translation fault).
         */
        public Builder staleWalks(long value) {
            this.staleWalks = value;
            return this;
        }

        /** Sets entries now in the queue (events and markers). */
        public Builder queued(int value) {
            this.queued = value;
            return this;
        }

        /** Sets groups now awaiting the guest's answer. */
        public Builder pending(int value) {
            this.pending = value;
            return this;
        }

        /** The value. */
        public GuestStatistics build() {
            return new GuestStatistics(this);
        }
    }
}
