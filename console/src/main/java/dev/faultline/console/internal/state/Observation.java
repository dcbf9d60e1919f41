package dev.faultline.console.internal.state;

import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.api.stats.PendingGroup;
import java.util.List;

/**
 * What the console, the metrics endpoint and the MBeans show: one read of the core's statistics and of the
 * guests' virtual IOMMUs.
 *
 * @param nanos {@link System#nanoTime()} when it was taken
 * @param totals the core's totals
 * @param devices every device the core knows, present ones first
 * @param handlers every registered handler
 * @param pending groups waiting for an answer
 * @param guests every open guest virtual IOMMU, by name
 * @param iommus every IOMMU a backend connected, with its hardware overflows
 * @param latency the answer latency of every device's timed page request groups
 */
public record Observation(long nanos, FaultCounts totals, List<DeviceStatus> devices, List<HandlerStatus> handlers,
        List<PendingGroup> pending, List<GuestView> guests, List<IommuStatus> iommus, AnswerLatency latency) {

    /** Copies the lists. */
    public Observation {
        iommus = List.copyOf(iommus);
        devices = List.copyOf(devices);
        handlers = List.copyOf(handlers);
        pending = List.copyOf(pending);
        guests = List.copyOf(guests);
    }
}
