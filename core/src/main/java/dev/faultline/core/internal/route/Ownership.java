package dev.faultline.core.internal.route;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.internal.configure.HandlerPolicy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Who owns each handler target: the configured owner, else the bundle that claimed it first (its first
 * registration for it). A claim holds while its bundle has a registration for the target and for the hand-over
 * window after the last one left, so an updated bundle (same symbolic name) gets its targets back and a foreign
 * bundle cannot slip in during the update. Domains attached as guest-owned belong to their guest's vIOMMU. Not
 * thread-safe: {@link HandlerIndex} calls it under its lock.
 */
public final class Ownership {
    /** A bundle's claim on a target; {@code lapsesAt} is {@link Long#MAX_VALUE} while it has registrations. */
    private record Claim(String bundle, long lapsesAt) {
    }

    private final Map<String, Claim> claims = new HashMap<>();
    /** Domains attached as guest-owned: name to guest. */
    private final Map<String, String> guestDomains = new HashMap<>();

    public static String device(DeviceId id) {
        return "device " + id;
    }

    public static String domain(String name) {
        return "domain " + name;
    }

    /** The targets of a registration, as {@code "device <id>"} / {@code "domain <name>"}. */
    static List<String> targets(HandlerRegistration r) {
        List<String> out = new ArrayList<>();
        r.domains().forEach(d -> out.add(domain(d)));
        r.devices().forEach(d -> out.add(device(d)));
        return out;
    }

    /** Records that {@code name} is attached as a domain of {@code guest}; true if that is new. */
    boolean guestDomain(String name, String guest) {
        return !guest.equals(guestDomains.put(name, guest));
    }

    /** Why {@code r} may not serve its targets now, or null if it may. */
    @Nullable String refusal(HandlerRegistration r, HandlerPolicy policy, long now) {
        if (!r.guest().isEmpty() && !policy.guestHandlers().contains(r.bundle())) {
            return HandlerProperties.GUEST + " is reserved to vIOMMU bundles (core configuration guest.handlers: "
                    + String.join(", ", policy.guestHandlers().stream().sorted().toList()) + ")";
        }
        for (String d : r.domains()) {
            String guest = guestDomains.get(d);
            if (guest != null && !guest.equals(r.guest())) {
                return "domain " + d + " belongs to guest " + guest + "; only its vIOMMU (" + HandlerProperties.GUEST
                        + "=" + guest + ") may serve it";
            }
        }
        for (String target : targets(r)) {
            String configured = policy.owners().get(target);
            if (configured != null && !configured.equals(r.bundle())) {
                return target + " is owned by bundle " + configured + " (core configuration owners)";
            }
            Claim c = claims.get(target);
            if (configured == null && c != null && !c.bundle().equals(r.bundle()) && now - c.lapsesAt() < 0) {
                return target + " is owned by bundle " + c.bundle() + " (it registered for it first"
                        + (c.lapsesAt() == Long.MAX_VALUE ? ")" : "; its claim lapses in "
                        + Math.max(1, (c.lapsesAt() - now) / 1_000_000) + " ms unless it registers again)");
            }
        }
        return null;
    }

    /** Drops every claim (the core closed: no handler is left to hold one). */
    void clear() {
        claims.clear();
    }

    /** {@code r} was admitted: its bundle holds each of its targets. */
    void claim(HandlerRegistration r) {
        for (String target : targets(r)) {
            claims.put(target, new Claim(r.bundle(), Long.MAX_VALUE));
        }
    }

    /**
     * An admitted registration left; the targets that {@code remaining} (the bundle's other admitted registrations)
     * do not serve keep their claim until {@code lapsesAt}.
     */
    void release(HandlerRegistration r, List<HandlerRegistration> remaining, long lapsesAt) {
        for (String target : targets(r)) {
            boolean stillServed = remaining.stream()
                    .anyMatch(o -> o.bundle().equals(r.bundle()) && targets(o).contains(target));
            Claim c = claims.get(target);
            if (!stillServed && c != null && c.bundle().equals(r.bundle())) {
                claims.put(target, new Claim(r.bundle(), lapsesAt));
            }
        }
    }
}
