package dev.faultline.vtd.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The devices of one unit: the core's port for each requester id (an array, so the fault thread finds it
 * without allocating) and the domain attached at each PASID (for the host's printing decision).
 * Thread-safe.
 */
final class DeviceTable {
    private final int segment;
    private final AtomicReferenceArray<DevicePort> ports = new AtomicReferenceArray<>(1 << 16);
    private final Map<Long, Domain> domains = new ConcurrentHashMap<>();
    /** Requester ids the firmware announced without a PRI capability. */
    private final Set<Integer> withoutPri = ConcurrentHashMap.newKeySet();

    DeviceTable(int segment) {
        this.segment = segment;
    }

    /** The port of requester {@code rid}, or {@code null}. */
    DevicePort port(int rid) {
        return ports.get(rid & 0xffff);
    }

    /** The port of {@code device}, added to {@code iommu} on first use. */
    synchronized DevicePort portFor(IommuPort iommu, PciRequesterId device) {
        DevicePort port = ports.get(device.rid());
        if (port == null) {
            port = iommu.device(device).orElseGet(() -> iommu.addDevice(device));
            ports.set(device.rid(), port);
        }
        return port;
    }

    /** Records whether the firmware announced {@code rid} with a PRI capability. */
    void pri(int rid, boolean pri) {
        if (pri) {
            withoutPri.remove(rid);
        } else {
            withoutPri.add(rid);
        }
    }

    /** Whether the firmware announced {@code rid} without a PRI capability (it cannot send page requests). */
    boolean withoutPri(int rid) {
        return withoutPri.contains(rid);
    }

    /** Records that {@code (rid, pasid)} is attached to {@code domain}. */
    void attached(int rid, int pasid, Domain domain) {
        domains.put(key(rid, pasid), domain);
    }

    /** Forgets the attachment at {@code (rid, pasid)}; returns whether there was one. */
    boolean detached(int rid, int pasid) {
        return domains.remove(key(rid, pasid)) != null;
    }

    /** Forgets the device; returns its port, or {@code null}. */
    synchronized DevicePort removed(int rid) {
        domains.keySet().removeIf(k -> (k >>> 32) == rid);
        withoutPri.remove(rid);
        return ports.getAndSet(rid, null);
    }

    /**
     * Whether a fault of {@code (rid, pasid)} belongs to a guest: the domain attached at that PASID is nested,
     * or nothing is attached there and the device's PASID-less attachment is nested (the core's routing rule,
     * {@link dev.faultline.api.handler.HandlerProperties}).
     */
    boolean guestOwned(int rid, int pasid) {
        return guestOf(rid, pasid) != null;
    }

    /** The guest a fault of {@code (rid, pasid)} belongs to, by the rule of {@link #guestOwned}, or null. */
    String guestOf(int rid, int pasid) {
        Domain domain = domains.get(key(rid, pasid));
        if (domain == null && pasid != Pasid.NONE) {
            domain = domains.get(key(rid, Pasid.NONE));
        }
        return domain != null && domain.guestOwned() ? domain.guest() : null;
    }

    /** Every attachment as {@code "<device> pasid <pasid> -> <type> <domain>[ guest <guest>]"}, sorted. */
    List<String> attachments() {
        List<String> out = new ArrayList<>();
        domains.forEach((key, domain) -> out.add(PciRequesterId.ofRid(segment, (int) (key >>> 32)) + " pasid "
                + Pasid.format((int) (long) key) + " -> " + domain.type().name().toLowerCase(Locale.ROOT) + " "
                + domain.name() + (domain.guestOwned() ? " guest " + domain.guest() : "")));
        out.sort(null);
        return out;
    }

    /** The PCI segment of the unit's devices. */
    int segment() {
        return segment;
    }

    private static long key(int rid, int pasid) {
        return (long) rid << 32 | (pasid & 0xffff_ffffL);
    }
}
