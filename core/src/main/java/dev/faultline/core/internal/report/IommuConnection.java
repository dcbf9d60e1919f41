package dev.faultline.core.internal.report;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.FaultQueue;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.core.internal.count.IommuOverflows;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * One connected IOMMU (Linux's {@code iopf_queue}): its backend and its devices. Closing answers every pending
 * group INVALID while the backend still accepts responses, then stops sending to it.
 *
 * <p>Closing keeps the devices' attachments: the hardware goes on translating with them while no backend runs,
 * so when a backend connects the same IOMMU (by name) again and adds a device, the device gets its attachments
 * back, and faults queued in the gap route (and are kept off the host log) as before the swap. Its counters go
 * on from where they were: one device in the statistics, before and after the swap.
 */
public final class IommuConnection implements IommuPort {
    private final IommuBackend backend;
    private final String name;
    private final Devices allDevices;
    private final IommuOverflows overflows;
    private final Consumer<IommuConnection> onClosed;
    private final Map<DeviceId, DeviceState> devices = new ConcurrentHashMap<>();
    private volatile boolean closing;
    private volatile boolean closed;

    /**
     * IOMMU {@code name} served by {@code backend}: its devices are added to {@code allDevices}, its overflows
     * counted in {@code overflows}; {@code onClosed} is told when {@link #close()} is done.
     */
    public IommuConnection(IommuBackend backend, String name, Devices allDevices, IommuOverflows overflows,
            Consumer<IommuConnection> onClosed) {
        this.backend = backend;
        this.name = name;
        this.allDevices = allDevices;
        this.overflows = overflows;
        this.onClosed = onClosed;
    }

    public String name() {
        return name;
    }

    public IommuBackend backend() {
        return backend;
    }

    /** Whether answers are still sent to the backend (until {@link #close()} returns). */
    boolean acceptsResponses() {
        return !closed;
    }

    @Override
    public DevicePort addDevice(DeviceId device) {
        if (closing) {
            throw new IllegalStateException("IOMMU " + name + " is disconnected");
        }
        DeviceState d = allDevices.add(this, device);
        devices.put(device, d);
        if (closing) {
            d.remove();
            throw new IllegalStateException("IOMMU " + name + " is disconnected");
        }
        return d;
    }

    @Override
    public Optional<DevicePort> device(DeviceId device) {
        return Optional.ofNullable(devices.get(device));
    }

    public Collection<DeviceState> devices() {
        return new ArrayList<>(devices.values());
    }

    /** A device of this IOMMU was removed. */
    void forget(DeviceState device) {
        devices.remove(device.id(), device);
        allDevices.forget(device);
    }

    @Override
    public void discardPartials() {
        for (DeviceState d : devices.values()) {
            d.discardPartials();
        }
    }

    @Override
    public void reportOverflow(FaultQueue queue) {
        overflows.count(queue == null ? FaultQueue.FAULT_RECORDS : queue);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closing) {
                return;
            }
            closing = true;
        }
        for (DeviceState d : devices()) {
            allDevices.carryOver(d);
            d.remove();
        }
        closed = true;
        onClosed.accept(this);
    }

    @Override
    public String toString() {
        return "IOMMU " + name;
    }
}
