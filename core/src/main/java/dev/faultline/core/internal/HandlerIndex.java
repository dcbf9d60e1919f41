package dev.faultline.core.internal;

import dev.faultline.api.fault.DeviceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The whiteboard index: which handler serves each domain and each device. Changes (handlers coming, going,
 * quarantined) rebuild the published slots under this object's lock; the fault path only reads the slots it
 * holds ({@link HandlerSlot} through an {@link Attachment}, {@link DeviceRoute} through its device), never
 * this index.
 */
final class HandlerIndex {
    private final Map<String, HandlerSlot> domainSlots = new HashMap<>();
    private final Map<DeviceId, DeviceRoute> deviceRoutes = new HashMap<>();
    private final List<HandlerProxy> handlers = new ArrayList<>();

    /** The slot of domain {@code name}, created (and resolved) on first use. */
    synchronized HandlerSlot domainSlot(String name) {
        HandlerSlot slot = domainSlots.get(name);
        if (slot == null) {
            slot = new HandlerSlot();
            slot.set(bestForDomain(name));
            domainSlots.put(name, slot);
        }
        return slot;
    }

    /** The route of device {@code id}, created (and resolved) on first use. */
    synchronized DeviceRoute deviceRoute(DeviceId id) {
        DeviceRoute route = deviceRoutes.get(id);
        if (route == null) {
            route = new DeviceRoute();
            route.set(choiceForDevice(id));
            deviceRoutes.put(id, route);
        }
        return route;
    }

    synchronized void add(HandlerProxy handler) {
        handlers.add(handler);
        refresh();
    }

    synchronized void remove(HandlerProxy handler) {
        handlers.remove(handler);
        refresh();
    }

    /** Re-resolves every slot and route (after a handler's properties or state changed). */
    synchronized void refresh() {
        domainSlots.forEach((name, slot) -> slot.set(bestForDomain(name)));
        deviceRoutes.forEach((id, route) -> route.set(choiceForDevice(id)));
    }

    /** The registered handlers, in precedence order. */
    synchronized List<HandlerProxy> handlers() {
        List<HandlerProxy> copy = new ArrayList<>(handlers);
        copy.sort(HandlerProxy.PRECEDENCE);
        return copy;
    }

    private HandlerProxy bestForDomain(String name) {
        HandlerProxy best = null;
        for (HandlerProxy h : handlers) {
            if (h.active() && h.registration().domains().contains(name) && precedes(h, best)) {
                best = h;
            }
        }
        return best;
    }

    private DeviceRoute.Choice choiceForDevice(DeviceId id) {
        List<HandlerProxy> serving = new ArrayList<>();
        Set<Integer> restrictedPasids = new HashSet<>();
        HandlerProxy any = null;
        for (HandlerProxy h : handlers) {
            HandlerRegistration r = h.registration();
            if (h.active() && r.devices().contains(id)) {
                serving.add(h);
                restrictedPasids.addAll(r.pasids());
                if (r.pasids().isEmpty() && precedes(h, any)) {
                    any = h;
                }
            }
        }
        PasidMap<HandlerProxy> byPasid = PasidMap.empty();
        for (int pasid : restrictedPasids) {
            HandlerProxy best = null;
            for (HandlerProxy h : serving) {
                if (h.registration().servesPasid(pasid) && precedes(h, best)) {
                    best = h;
                }
            }
            byPasid = byPasid.with(pasid, best);
        }
        return new DeviceRoute.Choice(any, byPasid);
    }

    private static boolean precedes(HandlerProxy h, HandlerProxy best) {
        return best == null || HandlerProxy.PRECEDENCE.compare(h, best) < 0;
    }
}
