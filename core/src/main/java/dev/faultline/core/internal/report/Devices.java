package dev.faultline.core.internal.report;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.internal.count.Counters;
import dev.faultline.core.internal.group.PartialBudget;
import dev.faultline.core.internal.route.HandlerIndex;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.jspecify.annotations.Nullable;

/**
 * The core's devices over all IOMMUs: builds each {@link DeviceState} with the collaborators of its fault path,
 * keeps a device id on one IOMMU at a time, carries a device's attachments and counters across a backend swap, and
 * lists the {@value #LISTED_REMOVED_DEVICES} most recently removed devices (older ones are summed into one total,
 * so churn of devices and IOMMUs does not grow the core).
 */
public final class Devices {
    private static final int LISTED_REMOVED_DEVICES = 64;

    private final FaultPath path;
    private final HandlerIndex routes;
    private final PartialBudget partialBudget;
    private final OpenGroups open;
    private final Map<DeviceId, DeviceState> present = new ConcurrentHashMap<>();
    /** Removed devices whose counters are still listed; older ones are summed into {@link #retired}. */
    private final Queue<DeviceState> removed = new ConcurrentLinkedQueue<>();
    private final Map<String, Map<DeviceId, CarriedDevice>> carried = new ConcurrentHashMap<>();
    private FaultCounts retired = Counters.sum(List.of());

    /**
     * Devices whose reports go through {@code path}, routed by {@code routes}, parking partials within
     * {@code partialBudget}; {@code open} answers their changes of owner and counts their open groups.
     */
    public Devices(FaultPath path, HandlerIndex routes, PartialBudget partialBudget, OpenGroups open) {
        this.path = path;
        this.routes = routes;
        this.partialBudget = partialBudget;
        this.open = open;
    }

    /**
     * Adds device {@code id} on {@code iommu}, unless any IOMMU has it already; it continues with the attachments
     * and counters it had under the previous backend instance of the IOMMU, if any.
     */
    DeviceState add(IommuConnection iommu, DeviceId id) {
        DeviceState d = new DeviceState(id, iommu, path, routes, partialBudget, open);
        DeviceState other = present.putIfAbsent(id, d);
        if (other != null) {
            throw new IllegalStateException("device " + id + " is already added on IOMMU " + other.iommu().name());
        }
        Map<DeviceId, CarriedDevice> byDevice = carried.get(iommu.name());
        CarriedDevice previous = byDevice == null ? null : byDevice.remove(id);
        if (previous != null) {
            FaultCounts before = countsToContinue(previous.previous());
            if (before != null) {
                d.continueFrom(before);
            }
            if (!previous.attachments().isEmpty()) {
                d.restore(previous.attachments());
            }
        }
        return d;
    }

    /**
     * The counters of {@code previous} for its successor to continue from; {@code previous} is no longer listed among
     * the removed devices, so that the totals count it once. {@code null} when its counters were already summed into
     * the retired devices' total.
     */
    private synchronized @Nullable FaultCounts countsToContinue(DeviceState previous) {
        return removed.remove(previous) ? open.countsOf(previous) : null;
    }

    /** Keeps {@code d}'s attachments, and {@code d} itself for its counters, for the next backend of its IOMMU. */
    void carryOver(DeviceState d) {
        carried.computeIfAbsent(d.iommu().name(), k -> new ConcurrentHashMap<>())
                .put(d.id(), new CarriedDevice(d, d.attachments()));
    }

    /** A device was removed: it is listed as removed until it is one of the oldest, or added again after a swap. */
    void forget(DeviceState d) {
        if (present.remove(d.id(), d)) {
            removed.add(d);
            retireOldRemovedDevices();
        }
    }

    private synchronized void retireOldRemovedDevices() {
        while (removed.size() > LISTED_REMOVED_DEVICES) {
            DeviceState old = removed.poll();
            if (old != null) {
                retired = Counters.sum(List.of(retired, open.countsOf(old)));
            }
        }
    }

    /** The devices present now. */
    public Collection<DeviceState> present() {
        return new ArrayList<>(present.values());
    }

    /** The removed devices still listed. */
    public Collection<DeviceState> removed() {
        return new ArrayList<>(removed);
    }

    /** The counters of the removed devices no longer listed, summed. */
    public synchronized FaultCounts retired() {
        return retired;
    }

    /** Applies the current log rate limit to every present device. */
    public void resetLogLimiters() {
        present.values().forEach(DeviceState::resetLogLimiter);
    }
}
