package dev.faultline.platform.machine;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The simulated machine: its physical memory, the memory the operating system allocates tables and queues
 * from, its IOMMUs, and the firmware's description of the devices behind them. It outlives IOMMU drivers, so
 * hardware state (tables, queues, stalled transactions) survives a driver restart.
 *
 * <p>Thread-safe.
 */
public final class Machine {
    private final String name;
    private final PhysicalMemory memory;
    private final FrameAllocator frames;
    private final Map<String, TranslationPort> iommus = new LinkedHashMap<>();
    private final Map<DeviceId, DeviceNode> devices = new LinkedHashMap<>();
    private final List<TopologyListener> listeners = new CopyOnWriteArrayList<>();

    /**
     * A machine over {@code memory}; the OS allocates from {@code frames}.
     *
     * @throws IllegalArgumentException if {@code frames} allocates from other memory
     */
    public Machine(String name, PhysicalMemory memory, FrameAllocator frames) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("machine name must not be blank");
        }
        if (frames.memory() != memory) {
            throw new IllegalArgumentException("the frame allocator must allocate from the machine's memory");
        }
        this.name = name;
        this.memory = memory;
        this.frames = frames;
    }

    /** A machine with fresh memory whose OS allocates from {@code [osBase, osBase + osSize)}. */
    public static Machine create(String name, long osBase, long osSize) {
        PhysicalMemory memory = new PhysicalMemory();
        return new Machine(name, memory, new FrameAllocator(memory, osBase, osSize));
    }

    /** The machine's name. */
    public String name() {
        return name;
    }

    /** Physical memory. */
    public PhysicalMemory memory() {
        return memory;
    }

    /** Where drivers allocate tables and queues. */
    public FrameAllocator frames() {
        return frames;
    }

    /**
     * Installs an IOMMU.
     *
     * @throws IllegalStateException if one of that name is installed
     */
    public synchronized void addIommu(TranslationPort iommu) {
        if (iommus.putIfAbsent(iommu.name(), iommu) != null) {
            throw new IllegalStateException("an IOMMU named " + iommu.name() + " is already installed");
        }
    }

    /** Removes an IOMMU (if it is the one installed under its name). */
    public synchronized void removeIommu(TranslationPort iommu) {
        iommus.remove(iommu.name(), iommu);
    }

    /** The IOMMU of that name. */
    public synchronized Optional<TranslationPort> iommu(String iommuName) {
        return Optional.ofNullable(iommus.get(iommuName));
    }

    /**
     * Declares a device. Every topology listener hears of it, even when one of them throws.
     *
     * @throws IllegalStateException if a device with that id exists
     * @throws RuntimeException the first listener's failure (the others' suppressed in it), after all were told
     */
    public void addDevice(DeviceNode node) {
        synchronized (this) {
            if (devices.putIfAbsent(node.id(), node) != null) {
                throw new IllegalStateException("device " + node.id() + " is already on the machine");
            }
        }
        tellListeners(l -> l.deviceAdded(node));
    }

    /**
     * Removes a device; returns whether it was there. Every topology listener hears of it, even when one throws.
     *
     * @throws RuntimeException the first listener's failure (the others' suppressed in it), after all were told
     */
    public boolean removeDevice(DeviceId id) {
        DeviceNode node;
        synchronized (this) {
            node = devices.remove(id);
        }
        if (node == null) {
            return false;
        }
        tellListeners(l -> l.deviceRemoved(node));
        return true;
    }

    /** Tells every listener; a listener that throws does not keep the others from hearing it. */
    private void tellListeners(Consumer<TopologyListener> event) {
        RuntimeException failure = null;
        for (TopologyListener l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** Every device, in the order declared. */
    public synchronized List<DeviceNode> devices() {
        return List.copyOf(devices.values());
    }

    /** The devices behind {@code iommuName}. */
    public synchronized List<DeviceNode> devicesBehind(String iommuName) {
        List<DeviceNode> out = new ArrayList<>();
        for (DeviceNode d : devices.values()) {
            if (d.iommu().equals(iommuName)) {
                out.add(d);
            }
        }
        return out;
    }

    /** Listens for devices added and removed from now on. */
    public void addTopologyListener(TopologyListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Stops listening. */
    public void removeTopologyListener(TopologyListener listener) {
        listeners.remove(listener);
    }

    @Override
    public String toString() {
        return "Machine[" + name + "]";
    }
}
