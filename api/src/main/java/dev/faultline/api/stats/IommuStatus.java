package dev.faultline.api.stats;

import java.util.Objects;

/**
 * One IOMMU a backend connected to the core (by its name, so the same IOMMU across backend swaps), with what
 * its backend reported of the hardware: the overflows of its fault queues, in which the hardware dropped faults
 * that therefore never reached the core's other counters.
 *
 * <p>A value: built with {@link #builder()} (or {@link #toBuilder()} from another), compared by its values. New
 * values are added as accessors and builder methods in a minor version; what a builder is not told is 0 (or
 * empty, or {@code false}).
 *
 * @since 1.2
 */
public final class IommuStatus {
    private final String name;
    private final boolean connected;
    private final int devices;
    private final long faultRecordOverflows;
    private final long pageRequestOverflows;

    private IommuStatus(Builder b) {
        this.name = b.name;
        this.connected = b.connected;
        this.devices = b.devices;
        this.faultRecordOverflows = b.faultRecordOverflows;
        this.pageRequestOverflows = b.pageRequestOverflows;
    }

    /** A builder with every value 0, empty or {@code false}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this value's values. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.name = name;
        b.connected = connected;
        b.devices = devices;
        b.faultRecordOverflows = faultRecordOverflows;
        b.pageRequestOverflows = pageRequestOverflows;
        return b;
    }

    /** The IOMMU's name, as its backend connected it (e.g. {@code smmuv3.0}). */
    public String name() {
        return name;
    }

    /** Whether a backend drives it now ({@code false} between a backend's departure and the next's arrival). */
    public boolean connected() {
        return connected;
    }

    /** Its devices present now. */
    public int devices() {
        return devices;
    }

    /**
     * Overflow episodes of its queue of unrecoverable faults and stall events (SMMUv3 {@code EVTQ}, VT-d primary
     * fault recording {@code FSTS.PFO}) its backends reported.
     */
    public long faultRecordOverflows() {
        return faultRecordOverflows;
    }

    /** Overflow episodes of its page request queue (SMMUv3 {@code PRIQ}, VT-d {@code PRS.PRO}) its backends reported. */
    public long pageRequestOverflows() {
        return pageRequestOverflows;
    }

    /** Overflow episodes of both queues: episodes in which the hardware dropped faults. */
    public long overflows() {
        return faultRecordOverflows + pageRequestOverflows;
    }

    @Override
    public boolean equals(Object o) {
        return this == o || o instanceof IommuStatus other && name.equals(other.name) && connected == other.connected
                && devices == other.devices && faultRecordOverflows == other.faultRecordOverflows
                && pageRequestOverflows == other.pageRequestOverflows;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, connected, devices, faultRecordOverflows, pageRequestOverflows);
    }

    @Override
    public String toString() {
        return "IommuStatus[name=" + name + ", connected=" + connected + ", devices=" + devices
                + ", faultRecordOverflows=" + faultRecordOverflows + ", pageRequestOverflows=" + pageRequestOverflows
                + "]";
    }

    /** Collects the values of an {@link IommuStatus}; not thread-safe. */
    public static final class Builder {
        private String name = "";
        private boolean connected;
        private int devices;
        private long faultRecordOverflows;
        private long pageRequestOverflows;

        private Builder() {
        }

        /** Sets the IOMMU's name. */
        public Builder name(String value) {
            this.name = Objects.requireNonNull(value, "name");
            return this;
        }

        /** Sets whether a backend drives it now. */
        public Builder connected(boolean value) {
            this.connected = value;
            return this;
        }

        /** Sets its devices present now. */
        public Builder devices(int value) {
            this.devices = value;
            return this;
        }

        /** Sets the overflow episodes of its queue of unrecoverable faults and stall events. */
        public Builder faultRecordOverflows(long value) {
            this.faultRecordOverflows = value;
            return this;
        }

        /** Sets the overflow episodes of its page request queue. */
        public Builder pageRequestOverflows(long value) {
            this.pageRequestOverflows = value;
            return this;
        }

        /** The value. */
        public IommuStatus build() {
            return new IommuStatus(this);
        }
    }
}
