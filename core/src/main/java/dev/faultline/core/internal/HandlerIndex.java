package dev.faultline.core.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The whiteboard index: which handler serves each domain and each device, and which registrations are admitted
 * at all ({@link Ownership}). Changes (handlers coming, going, quarantined, refused, guest domains attached)
 * rebuild the published slots under this object's lock; the fault path only reads the slots it holds
 * ({@link HandlerSlot} through an {@link Attachment}, {@link DeviceRoute} through its device), never this index.
 */
final class HandlerIndex {
    private final Map<String, HandlerSlot> domainSlots = new HashMap<>();
    private final Map<DeviceId, DeviceRoute> deviceRoutes = new HashMap<>();
    private final List<HandlerProxy> handlers = new ArrayList<>();
    private final Ownership ownership = new Ownership();
    /** Stand-ins for departed handlers' targets awaiting a replacement: target to placeholder. */
    private final Map<String, HandlerProxy> placeholders = new HashMap<>();
    /** Hand-overs that ended since last taken (a replacement took over, or the window passed). */
    private final List<Handover> ended = new ArrayList<>();
    private final Supplier<HandlerPolicy> policy;
    private final Ticker ticker;
    private final HostLog log;

    HandlerIndex(Supplier<HandlerPolicy> policy, Ticker ticker, HostLog log) {
        this.policy = policy;
        this.ticker = ticker;
        this.log = log;
    }

    /**
     * The slot of {@code domain}, created (and resolved) on first use. A guest-owned domain seen for the first time
     * refuses the registrations for its name that are not its guest's vIOMMU.
     */
    synchronized HandlerSlot domainSlot(Domain domain) {
        if (domain.guestOwned() && ownership.guestDomain(domain.name(), domain.guest())) {
            for (HandlerProxy h : handlers) {
                if (h.state() != HandlerProxy.State.REFUSED && h.registration().domains().contains(domain.name())) {
                    admit(h);
                }
            }
            refresh();
        }
        return domainSlot(domain.name());
    }

    private HandlerSlot domainSlot(String name) {
        HandlerSlot slot = domainSlots.get(name);
        if (slot == null) {
            slot = new HandlerSlot();
            slot.set(domainChoice(name));
            domainSlots.put(name, slot);
        }
        return slot;
    }

    /** The route of device {@code id}, created (and resolved) on first use. */
    synchronized DeviceRoute deviceRoute(DeviceId id) {
        DeviceRoute route = deviceRoutes.get(id);
        if (route == null) {
            route = new DeviceRoute();
            route.set(deviceChoice(id));
            deviceRoutes.put(id, route);
        }
        return route;
    }

    /**
     * Adds a registration: refused as a whole if its properties are (malformed, unknown, no target) or if a target
     * belongs to another bundle or guest; else admitted, its bundle claiming its targets. Refusals are logged.
     */
    synchronized void add(HandlerProxy handler) {
        handlers.add(handler);
        HandlerRegistration r = handler.registration();
        if (r.refused()) {
            handler.refuse(String.join("; ", r.problems()), false);
            log.refused(handler);
        } else {
            admit(handler);
        }
        refresh();
    }

    /** Re-reads a registration whose properties changed (as if it registered again under its service id). */
    synchronized void update(HandlerProxy handler, HandlerRegistration r) {
        HandlerRegistration old = handler.registration();
        handler.update(r);
        release(old, handler);
        if (r.refused()) {
            handler.refuse(String.join("; ", r.problems()), false);
            log.refused(handler);
        } else if (handler.state() != HandlerProxy.State.QUARANTINED) {
            admit(handler);
        }
        reconsider();
        refresh();
    }

    /**
     * Removes a departing handler. Each target it served waits for a replacement for the hand-over window (if not
     * zero and no other handler takes it at once): faults routed there are kept for the replacement.
     */
    synchronized void remove(HandlerProxy handler) {
        boolean served = handler.active();
        handlers.remove(handler);
        if (served) {
            release(handler.registration(), null);
        }
        long window = policy.get().handoverNanos();
        if (served && window > 0) {
            long until = ticker.nanoTime() + window;
            for (String target : Ownership.targets(handler.registration())) {
                HandlerProxy old = placeholders.put(target, HandlerProxy.placeholder(handler, target, until));
                if (old != null) {
                    ended.add(old.handover);
                }
            }
        }
        reconsider();
        refresh();
    }

    /** Ends the hand-overs whose window passed at {@code now} (their targets route as usual again). */
    synchronized void expireHandovers(long now) {
        if (placeholders.values().removeIf(p -> {
            if (p.handover.expired(now)) {
                ended.add(p.handover);
                return true;
            }
            return false;
        })) {
            refresh();
        }
    }

    /** Takes the hand-overs that ended (replaced or expired); their waiting groups must be routed again. */
    synchronized List<Handover> takeEnded() {
        List<Handover> out = new ArrayList<>(ended);
        ended.clear();
        return out;
    }

    /** Whether any hand-over is awaiting a replacement or ended and not yet taken. */
    synchronized boolean handoversOpen() {
        return !placeholders.isEmpty() || !ended.isEmpty();
    }

    /** Lifts the refusals whose reason went away (a claim lapsed or its holder left). */
    synchronized void reconsider() {
        boolean changed = false;
        for (HandlerProxy h : handlers) {
            if (h.reconsiderable() && ownership.refusal(h.registration(), policy.get(), ticker.nanoTime()) == null) {
                admit(h);
                changed = true;
            }
        }
        if (changed) {
            refresh();
        }
    }

    /** Admits {@code h} (claiming its targets) or refuses it for ownership, logging the refusal once. */
    private void admit(HandlerProxy h) {
        String why = ownership.refusal(h.registration(), policy.get(), ticker.nanoTime());
        if (why == null) {
            if (h.state() == HandlerProxy.State.REFUSED) {
                h.admit();
                log.admitted(h);
            }
            ownership.claim(h.registration());
        } else if (!why.equals(h.reason()) && h.refuse(why, true)) {
            log.refused(h);
        }
    }

    /** {@code r} no longer holds its targets; its bundle's claims lapse after the hand-over window. */
    private void release(HandlerRegistration r, HandlerProxy keep) {
        List<HandlerRegistration> remaining = new ArrayList<>();
        for (HandlerProxy h : handlers) {
            if (h != keep && h.state() != HandlerProxy.State.REFUSED) {
                remaining.add(h.registration());
            }
        }
        ownership.release(r, remaining, ticker.nanoTime() + policy.get().handoverNanos());
    }

    /** For each target of {@code h}: whether it serves it, or which handler outranks it. */
    synchronized List<String> standing(HandlerProxy h) {
        List<String> out = new ArrayList<>();
        if (!h.active()) {
            return out;
        }
        HandlerRegistration r = h.registration();
        for (String d : r.domains()) {
            out.add(standing(Ownership.domain(d), h, bestForDomain(d)));
        }
        for (DeviceId id : r.devices()) {
            HandlerProxy best = null;
            for (HandlerProxy o : handlers) {
                if (o.active() && o.registration().devices().contains(id)
                        && o.registration().pasids().equals(r.pasids()) && precedes(o, best)) {
                    best = o;
                }
            }
            out.add(standing(Ownership.device(id), h, best));
        }
        return out;
    }

    private static String standing(String target, HandlerProxy h, HandlerProxy best) {
        if (best == h || best == null) {
            return target + ": serves";
        }
        HandlerRegistration w = best.registration();
        return target + ": behind " + w.name() + " (ranking " + w.ranking() + ", service.id " + w.serviceId() + ")";
    }

    /** Re-resolves every slot and route (after a handler's properties or state changed). */
    synchronized void refresh() {
        // a placeholder whose target some handler serves again has done its job: the replacement came
        placeholders.values().removeIf(p -> {
            if (servedAgain(p.handover.target())) {
                ended.add(p.handover);
                return true;
            }
            return false;
        });
        domainSlots.forEach((name, slot) -> slot.set(domainChoice(name)));
        deviceRoutes.forEach((id, route) -> route.set(deviceChoice(id)));
    }

    /** The domain's best handler, else the placeholder awaiting its replacement, else null. */
    private HandlerProxy domainChoice(String name) {
        HandlerProxy best = bestForDomain(name);
        return best != null ? best : placeholders.get(Ownership.domain(name));
    }

    /** The device's handlers; where none serves every PASID, the placeholder awaiting a replacement. */
    private DeviceRoute.Choice deviceChoice(DeviceId id) {
        DeviceRoute.Choice c = choiceForDevice(id);
        return c.any() != null ? c : new DeviceRoute.Choice(placeholders.get(Ownership.device(id)), c.byPasid());
    }

    /** Whether an active handler serves {@code target} (as a domain or, for any PASID, a device). */
    private boolean servedAgain(String target) {
        for (HandlerProxy h : handlers) {
            if (h.active() && Ownership.targets(h.registration()).contains(target)) {
                return true;
            }
        }
        return false;
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
