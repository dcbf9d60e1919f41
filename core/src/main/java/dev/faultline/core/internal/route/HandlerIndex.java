package dev.faultline.core.internal.route;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.dispatch.Handler;
import dev.faultline.core.internal.hold.Handover;
import dev.faultline.core.internal.hold.Ticker;
import dev.faultline.core.internal.log.HostLog;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The whiteboard index: which handler serves each domain and each device, and which registrations are admitted
 * at all ({@link Ownership}). Changes (handlers coming, going, quarantined, refused, guest domains attached)
 * rebuild the published routes under this object's lock; the fault path only reads the routes it holds
 * (the handler an {@link Attachment} holds, kept current by its {@link DomainRoute}; {@link DeviceRoute} through its
 * device), never this index.
 */
public final class HandlerIndex {
    private final Map<String, DomainRoute> domainRoutes = new HashMap<>();
    private final Map<DeviceId, DeviceRoute> deviceRoutes = new HashMap<>();
    private final List<Handler> handlers = new ArrayList<>();
    private final Ownership ownership = new Ownership();
    /** Stand-ins for departed handlers' targets awaiting a replacement: target to placeholder. */
    private final Map<String, Handler> placeholders = new HashMap<>();
    /** Hand-overs that ended since last taken (a replacement took over, or the window passed). */
    private final List<Handover> ended = new ArrayList<>();
    private final Supplier<HandlerPolicy> policy;
    private final Ticker ticker;
    private final HostLog log;

    public HandlerIndex(Supplier<HandlerPolicy> policy, Ticker ticker, HostLog log) {
        this.policy = policy;
        this.ticker = ticker;
        this.log = log;
    }

    /**
     * The route of {@code domain}, created (and resolved) on first use. A guest-owned domain seen for the first time
     * refuses the registrations for its name that are not its guest's vIOMMU.
     */
    private synchronized DomainRoute domainRoute(Domain domain) {
        if (domain.guestOwned() && ownership.guestDomain(domain.name(), domain.guest())) {
            for (Handler h : handlers) {
                if (h.state() != Handler.State.REFUSED && h.registration().domains().contains(domain.name())) {
                    admit(h);
                }
            }
            refresh();
        }
        return domainRoute(domain.name());
    }

    /**
     * Attaches {@code domain} (generation {@code generation} of its device's attachments): the attachment, serving
     * with the domain's handler from now on.
     */
    public Attachment attach(Domain domain, long generation) {
        return domainRoute(domain).attach(domain, generation);
    }

    private DomainRoute domainRoute(String name) {
        DomainRoute route = domainRoutes.get(name);
        if (route == null) {
            route = new DomainRoute();
            route.set(domainChoice(name));
            domainRoutes.put(name, route);
        }
        return route;
    }

    /** The route of device {@code id}, created (and resolved) on first use. */
    public synchronized DeviceRoute deviceRoute(DeviceId id) {
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
    public synchronized void add(Handler handler) {
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
    public synchronized void update(Handler handler, HandlerRegistration r) {
        HandlerRegistration old = handler.registration();
        handler.update(r);
        release(old, handler);
        if (r.refused()) {
            handler.refuse(String.join("; ", r.problems()), false);
            log.refused(handler);
        } else if (handler.state() != Handler.State.QUARANTINED) {
            admit(handler);
        }
        reconsider();
        refresh();
    }

    /**
     * Removes a departing handler. Each target it served waits for a replacement for the hand-over window (if not
     * zero and no other handler takes it at once): faults routed there are kept for the replacement.
     */
    public synchronized void remove(Handler handler) {
        if (!handlers.remove(handler)) {
            return; // removed already (all at once, as the core closed)
        }
        boolean served = handler.active();
        if (served) {
            release(handler.registration(), null);
        }
        long window = policy.get().handoverNanos();
        if (served && window > 0) {
            long until = ticker.nanoTime() + window;
            for (String target : Ownership.targets(handler.registration())) {
                Handler old = placeholders.put(target, Handler.placeholder(handler, target, until));
                if (old != null) {
                    ended.add(old.handover);
                }
            }
        }
        reconsider();
        refresh();
    }

    /**
     * Removes every handler at once as the core closes: nothing waits for a replacement (no device is left to fault),
     * and the routes are rebuilt once, not once per handler.
     */
    public synchronized void removeAll() {
        handlers.clear();
        ownership.clear();
        placeholders.values().forEach(p -> ended.add(p.handover));
        placeholders.clear();
        refresh();
    }

    /** Ends the hand-overs whose window passed at {@code now} (their targets route as usual again). */
    public synchronized void expireHandovers(long now) {
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
    public synchronized List<Handover> takeEnded() {
        List<Handover> out = new ArrayList<>(ended);
        ended.clear();
        return out;
    }

    /** Whether any hand-over is awaiting a replacement or ended and not yet taken. */
    synchronized boolean handoversOpen() {
        return !placeholders.isEmpty() || !ended.isEmpty();
    }

    /** Lifts the refusals whose reason went away (a claim lapsed or its holder left). */
    public synchronized void reconsider() {
        boolean changed = false;
        for (Handler h : handlers) {
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
    private void admit(Handler h) {
        String why = ownership.refusal(h.registration(), policy.get(), ticker.nanoTime());
        if (why == null) {
            if (h.state() == Handler.State.REFUSED) {
                h.admit();
                log.admitted(h);
            }
            ownership.claim(h.registration());
        } else if (!why.equals(h.reason()) && h.refuse(why, true)) {
            log.refused(h);
        }
    }

    /** {@code r} no longer holds its targets; its bundle's claims lapse after the hand-over window. */
    private void release(HandlerRegistration r, Handler keep) {
        List<HandlerRegistration> remaining = new ArrayList<>();
        for (Handler h : handlers) {
            if (h != keep && h.state() != Handler.State.REFUSED) {
                remaining.add(h.registration());
            }
        }
        ownership.release(r, remaining, ticker.nanoTime() + policy.get().handoverNanos());
    }

    /** For each target of {@code h}: whether it serves it, or which handler outranks it. */
    public synchronized List<String> standing(Handler h) {
        List<String> out = new ArrayList<>();
        if (!h.active()) {
            return out;
        }
        HandlerRegistration r = h.registration();
        for (String d : r.domains()) {
            out.add(standing(Ownership.domain(d), h, bestForDomain(d)));
        }
        for (DeviceId id : r.devices()) {
            Handler best = null;
            for (Handler o : handlers) {
                if (o.active() && o.registration().devices().contains(id)
                        && o.registration().pasids().equals(r.pasids()) && precedes(o, best)) {
                    best = o;
                }
            }
            out.add(standing(Ownership.device(id), h, best));
        }
        return out;
    }

    private static String standing(String target, Handler h, Handler best) {
        if (best == h || best == null) {
            return target + ": serves";
        }
        HandlerRegistration w = best.registration();
        return target + ": behind " + w.name() + " (ranking " + w.ranking() + ", service.id " + w.serviceId() + ")";
    }

    /** Re-resolves every domain and device route (after a handler's properties or state changed). */
    public synchronized void refresh() {
        // a placeholder whose target some handler serves again has done its job: the replacement came
        placeholders.values().removeIf(p -> {
            if (servedAgain(p.handover.target())) {
                ended.add(p.handover);
                return true;
            }
            return false;
        });
        domainRoutes.forEach((name, route) -> route.set(domainChoice(name)));
        deviceRoutes.forEach((id, route) -> route.set(deviceChoice(id)));
    }

    /** The domain's best handler, else the placeholder awaiting its replacement, else null. */
    private @Nullable Handler domainChoice(String name) {
        Handler best = bestForDomain(name);
        return best != null ? best : placeholders.get(Ownership.domain(name));
    }

    /** The device's handlers; where none serves every PASID, the placeholder awaiting a replacement. */
    private DeviceRoute.Choice deviceChoice(DeviceId id) {
        DeviceRoute.Choice c = choiceForDevice(id);
        return c.any() != null ? c : new DeviceRoute.Choice(placeholders.get(Ownership.device(id)), c.byPasid());
    }

    /** Whether an active handler serves {@code target} (as a domain or, for any PASID, a device). */
    private boolean servedAgain(String target) {
        for (Handler h : handlers) {
            if (h.active() && Ownership.targets(h.registration()).contains(target)) {
                return true;
            }
        }
        return false;
    }

    /** The registered handlers, in precedence order. */
    public synchronized List<Handler> handlers() {
        List<Handler> copy = new ArrayList<>(handlers);
        copy.sort(Handler.PRECEDENCE);
        return copy;
    }

    private @Nullable Handler bestForDomain(String name) {
        Handler best = null;
        for (Handler h : handlers) {
            if (h.active() && h.registration().domains().contains(name) && precedes(h, best)) {
                best = h;
            }
        }
        return best;
    }

    private DeviceRoute.Choice choiceForDevice(DeviceId id) {
        List<Handler> serving = new ArrayList<>();
        Set<Integer> restrictedPasids = new HashSet<>();
        Handler any = null;
        for (Handler h : handlers) {
            HandlerRegistration r = h.registration();
            if (h.active() && r.devices().contains(id)) {
                serving.add(h);
                restrictedPasids.addAll(r.pasids());
                if (r.pasids().isEmpty() && precedes(h, any)) {
                    any = h;
                }
            }
        }
        PasidMap<Handler> byPasid = PasidMap.empty();
        for (int pasid : restrictedPasids) {
            Handler best = null;
            for (Handler h : serving) {
                if (h.registration().servesPasid(pasid) && precedes(h, best)) {
                    best = h;
                }
            }
            byPasid = byPasid.with(pasid, best);
        }
        return new DeviceRoute.Choice(any, byPasid);
    }

    private static boolean precedes(Handler h, Handler best) {
        return best == null || Handler.PRECEDENCE.compare(h, best) < 0;
    }
}
