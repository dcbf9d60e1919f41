package dev.faultline.viommu.internal;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.machine.TopologyListener;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemory;
import dev.faultline.viommu.PasidBinder;
import dev.faultline.viommu.StreamBinder;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.VirtualVtd;
import dev.faultline.viommu.VirtualVtdOptions;
import dev.faultline.viommu.WritableGuestMemory;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.annotations.Designate;

/**
 * The {@link VirtualIommus} service: creates guests' virtual IOMMUs and registers each as the
 * {@link FaultHandler} of its nested domains ({@code faultline.domain}, and {@code faultline.timeout.ms} when
 * the guest's limits give one), withdrawing it when the guest closes or this component stops.
 */
@Component(service = VirtualIommus.class, configurationPid = "dev.faultline.viommu")
@Designate(ocd = ViommuConfiguration.class)
public final class VirtualIommuHost implements VirtualIommus {
    private final BundleContext context;
    private final GuestLimits defaults;
    private final Map<String, Guest> guests = new HashMap<>();
    private boolean stopped;
    /**
     * Follows the machines' devices: a device removed physically leaves every guest it was given to (its virtual
     * id retired, its groups answered INVALID); plugged in again, it reaches a guest only after the VMM adds it.
     */
    private final TopologyListener follower = new TopologyListener() {
        @Override
        public void deviceAdded(DeviceNode node) {
            // nothing: a device plugged in (again) belongs to no guest until the VMM adds it
        }

        @Override
        public void deviceRemoved(DeviceNode node) {
            physicalDeviceRemoved(node.id());
        }
    };

    /** A guest and its handler registration (null while it is being registered). */
    private static final class Guest {
        final GuestViommu viommu;
        ServiceRegistration<FaultHandler> registration;
        boolean closedEarly;
        /** The guest's virtual SMMUv3, if the VMM created one. */
        GuestSmmuV3 smmuV3;
        /** The guest's virtual VT-d unit, if the VMM created one. */
        GuestVtd vtd;

        Guest(GuestViommu viommu) {
            this.viommu = viommu;
        }
    }

    /**
     * Activates with the configured default limits.
     *
     * @throws IllegalArgumentException if the configuration holds a limit out of range
     */
    @Activate
    public VirtualIommuHost(BundleContext context, ViommuConfiguration config) {
        this.context = context;
        this.defaults = new GuestLimits(config.event_queue_depth(), config.pending_groups_max(),
                config.rate_per_second(), config.rate_burst(), config.response_timeout_ms(), config.raw_records());
    }

    @Override
    public VirtualIommu create(String guest, Set<String> domains, GuestMemory memory) {
        return create(guest, domains, memory, defaults);
    }

    @Override
    public VirtualIommu create(String guest, Set<String> domains, GuestMemory memory, GuestLimits limits) {
        Objects.requireNonNull(memory, "memory");
        Objects.requireNonNull(limits, "limits");
        if (guest == null || guest.isBlank()) {
            throw new IllegalArgumentException("guest name must not be blank");
        }
        if (domains == null || domains.isEmpty() || domains.stream().anyMatch(d -> d == null || d.isBlank())) {
            throw new IllegalArgumentException("guest " + guest + " needs at least one named nested domain");
        }
        GuestViommu viommu = new GuestViommu(guest, domains, memory, limits, System::nanoTime, this::closed);
        Guest entry = new Guest(viommu);
        synchronized (guests) {
            if (stopped) {
                throw new IllegalStateException("the virtual IOMMU service has stopped");
            }
            if (guests.containsKey(guest)) {
                throw new IllegalArgumentException("guest " + guest + " already has a virtual IOMMU");
            }
            for (Guest other : guests.values()) {
                for (String domain : domains) {
                    if (other.viommu.domains().contains(domain)) {
                        throw new IllegalArgumentException("domain " + domain + " already belongs to guest "
                                + other.viommu.name());
                    }
                }
            }
            guests.put(guest, entry);
        }
        Hashtable<String, Object> properties = new Hashtable<>();
        properties.put(HandlerProperties.DOMAIN, domains.toArray(new String[0]));
        if (limits.responseTimeoutMs() > 0) {
            properties.put(HandlerProperties.TIMEOUT_MS, limits.responseTimeoutMs());
        }
        properties.put("faultline.guest", guest);
        ServiceRegistration<FaultHandler> registration =
                context.registerService(FaultHandler.class, viommu, properties);
        boolean unregisterNow;
        synchronized (guests) {
            entry.registration = registration;
            unregisterNow = entry.closedEarly;
        }
        if (unregisterNow) {
            unregister(registration);
        }
        return viommu;
    }

    /** Follows the devices of {@code machine}. */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addMachine(Machine machine) {
        machine.addTopologyListener(follower);
    }

    void removeMachine(Machine machine) {
        machine.removeTopologyListener(follower);
    }

    /**
     * A physical device left the machine: every guest that had it removes it, as {@link VirtualIommu#removeDevice}
     * does; returns how many groups the guests held for it (answered INVALID).
     */
    int physicalDeviceRemoved(DeviceId device) {
        List<GuestViommu> open = new ArrayList<>();
        synchronized (guests) {
            for (Guest entry : guests.values()) {
                open.add(entry.viommu);
            }
        }
        int answered = 0;
        for (GuestViommu viommu : open) {
            answered += viommu.removeDevice(device);
        }
        return answered;
    }

    /** Called by a guest's vIOMMU once it has closed. */
    private void closed(GuestViommu viommu) {
        ServiceRegistration<FaultHandler> registration;
        synchronized (guests) {
            Guest entry = guests.get(viommu.name());
            if (entry == null || entry.viommu != viommu) {
                return;
            }
            guests.remove(viommu.name());
            registration = entry.registration;
            entry.closedEarly = registration == null;
        }
        if (registration != null) {
            unregister(registration);
        }
    }

    private static void unregister(ServiceRegistration<FaultHandler> registration) {
        try {
            registration.unregister();
        } catch (IllegalStateException alreadyGone) {
            // the framework already withdrew it (our bundle is stopping)
        }
    }

    @Override
    public VirtualSmmuV3 createSmmuV3(VirtualIommu guest, WritableGuestMemory memory, StreamBinder binder) {
        Objects.requireNonNull(guest, "guest");
        synchronized (guests) {
            Guest entry = withoutFrontEnd(guest);
            entry.smmuV3 = new GuestSmmuV3(guest, memory, binder, guest.limits().maxPendingGroups());
            return entry.smmuV3;
        }
    }

    /** The entry of an open guest of this service that has no virtual SMMUv3 or VT-d unit yet; the caller locks. */
    private Guest withoutFrontEnd(VirtualIommu guest) {
            Guest entry = guests.get(guest.name());
            if (entry == null || entry.viommu != guest || guest.closed()) {
                throw new IllegalArgumentException(guest + " is not an open virtual IOMMU of this service");
            }
            if (entry.smmuV3 != null || entry.vtd != null) {
                // two front ends would take each other's events from the one queue
                throw new IllegalArgumentException("guest " + guest.name() + " already has a virtual "
                        + (entry.vtd != null ? "VT-d unit" : "SMMUv3"));
            }
        return entry;
    }

    @Override
    public VirtualVtd createVtd(VirtualIommu guest, WritableGuestMemory memory, PasidBinder binder,
            VirtualVtdOptions options) {
        Objects.requireNonNull(guest, "guest");
        synchronized (guests) {
            Guest entry = withoutFrontEnd(guest);
            entry.vtd = new GuestVtd(guest, memory, binder, options, guest.limits().maxPendingGroups());
            return entry.vtd;
        }
    }

    @Override
    public Optional<VirtualVtd> vtd(String guest) {
        synchronized (guests) {
            Guest entry = guests.get(guest);
            return entry == null ? Optional.empty() : Optional.ofNullable(entry.vtd);
        }
    }

    @Override
    public Optional<VirtualSmmuV3> smmuV3(String guest) {
        synchronized (guests) {
            Guest entry = guests.get(guest);
            return entry == null ? Optional.empty() : Optional.ofNullable(entry.smmuV3);
        }
    }

    @Override
    public Optional<VirtualIommu> guest(String guest) {
        synchronized (guests) {
            Guest entry = guests.get(guest);
            return entry == null ? Optional.empty() : Optional.of(entry.viommu);
        }
    }

    @Override
    public List<VirtualIommu> guests() {
        List<VirtualIommu> out = new ArrayList<>();
        synchronized (guests) {
            for (Guest entry : guests.values()) {
                out.add(entry.viommu);
            }
        }
        out.sort(Comparator.comparing(VirtualIommu::name));
        return out;
    }

    @Override
    public GuestLimits defaultLimits() {
        return defaults;
    }

    /** Closes every guest: each answers INVALID all the groups it holds. */
    @Deactivate
    void deactivate() {
        List<GuestViommu> open = new ArrayList<>();
        synchronized (guests) {
            stopped = true;
            for (Guest entry : guests.values()) {
                open.add(entry.viommu);
            }
        }
        for (GuestViommu viommu : open) {
            viommu.close();
        }
    }
}
