package dev.faultline.core.internal.route;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.handler.HandlerProperties;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The service properties of one {@link dev.faultline.api.handler.FaultHandler} registration, read and
 * validated once ({@link HandlerProperties}). Fail closed: any malformed or unknown {@code faultline.*} property,
 * or a registration without a target, is a problem, and a registration with any problem is refused as a whole
 * ({@link #refused()}); nothing is left out to make it usable.
 *
 * @param name component name, else the handler's class name
 * @param bundle the registering bundle's symbolic name
 * @param serviceId {@code service.id}
 * @param ranking {@code service.ranking} (0 if absent)
 * @param domains domain names served
 * @param devices devices served
 * @param pasids PASIDs the device targets are restricted to; empty for all
 * @param timeoutMillis the deadline of its groups; 0 for the core's default, {@link HandlerProperties#NO_DEADLINE}
 *     for none
 * @param queued whether {@code faultline.dispatch} is {@code queued}
 * @param guest the guest whose vIOMMU the handler is ({@code faultline.guest}); empty if none
 * @param problems what was wrong with the properties, each naming the property and the expected form
 */
public record HandlerRegistration(String name, String bundle, long serviceId, int ranking, List<String> domains,
        List<DeviceId> devices, List<Integer> pasids, long timeoutMillis, boolean queued, String guest,
        List<String> problems) {

    public HandlerRegistration {
        domains = List.copyOf(domains);
        devices = List.copyOf(devices);
        pasids = List.copyOf(pasids);
        problems = List.copyOf(problems);
    }

    /** Reads the properties of a registration by {@code bundle} of {@code handlerClass}. */
    public static HandlerRegistration read(Map<String, ?> properties, String bundle, String handlerClass) {
        List<String> problems = new ArrayList<>();
        Object componentName = properties.get("component.name");
        String name = componentName != null ? componentName.toString() : handlerClass;
        long serviceId = properties.get("service.id") instanceof Number n ? n.longValue() : -1;
        int ranking = properties.get("service.ranking") instanceof Integer r ? r : 0;

        for (String key : new TreeSet<>(properties.keySet())) {
            if (key.startsWith("faultline.") && !HandlerProperties.KNOWN.contains(key)) {
                problems.add("unknown property " + key + " (known: " + String.join(", ", HandlerProperties.KNOWN)
                        + ")");
            }
        }
        List<String> domains = new ArrayList<>();
        for (Object d : values(properties.get(HandlerProperties.DOMAIN))) {
            String text = d instanceof String t ? t.strip() : "";
            if (text.isEmpty()) {
                problems.add(HandlerProperties.DOMAIN + " '" + d + "' is not a domain name (expected: non-blank"
                        + " String+)");
            } else {
                domains.add(text);
            }
        }
        List<DeviceId> devices = new ArrayList<>();
        for (Object d : values(properties.get(HandlerProperties.DEVICE))) {
            try {
                devices.add(d instanceof DeviceId id ? id : DeviceId.parse(String.valueOf(d)));
            } catch (IllegalArgumentException e) {
                problems.add(HandlerProperties.DEVICE + " '" + d + "' is not a device id (expected: canonical"
                        + " DeviceId text, e.g. 0000:00:03.0, sid:0x42): " + e.getMessage());
            }
        }
        List<Integer> pasids = new ArrayList<>();
        for (Object p : values(properties.get(HandlerProperties.PASID))) {
            try {
                long pasid = p instanceof Integer || p instanceof Long || p instanceof Short ? ((Number) p).longValue()
                        : p instanceof String t ? Long.decode(t.strip()) : Long.MIN_VALUE;
                if (pasid != (int) pasid) {
                    throw new IllegalArgumentException("out of range");
                }
                pasids.add(Pasid.requireValidOrNone((int) pasid));
            } catch (IllegalArgumentException e) {
                problems.add(HandlerProperties.PASID + " '" + p + "' is not a PASID (expected: Integer+ in [0, 0xfffff]"
                        + " or -1 for PASID-less faults)");
            }
        }
        if (!values(properties.get(HandlerProperties.PASID)).isEmpty() && devices.isEmpty()) {
            problems.add(HandlerProperties.PASID + " restricts " + HandlerProperties.DEVICE
                    + " targets and is not allowed without one");
        }
        long timeoutMillis = 0;
        Object timeout = properties.get(HandlerProperties.TIMEOUT_MS);
        if (timeout != null) {
            try {
                timeoutMillis = timeout instanceof Long || timeout instanceof Integer || timeout instanceof Short ? ((Number) timeout).longValue()
                        : Long.parseLong(timeout instanceof String t ? t.strip() : "?");
                if (timeoutMillis < HandlerProperties.NO_DEADLINE) {
                    throw new NumberFormatException("negative");
                }
            } catch (NumberFormatException e) {
                problems.add(HandlerProperties.TIMEOUT_MS + " '" + timeout + "' is not a deadline (expected: Long"
                        + " milliseconds > 0, 0 for the core's default, " + HandlerProperties.NO_DEADLINE
                        + " for none)");
                timeoutMillis = 0;
            }
        }
        boolean queued = false;
        Object dispatch = properties.get(HandlerProperties.DISPATCH);
        if (dispatch != null) {
            String mode = dispatch instanceof String m ? m.strip() : "";
            if (HandlerProperties.DISPATCH_QUEUED.equals(mode)) {
                queued = true;
            } else if (!HandlerProperties.DISPATCH_INLINE.equals(mode)) {
                problems.add(HandlerProperties.DISPATCH + " '" + dispatch + "' is not a dispatch mode (expected: "
                        + HandlerProperties.DISPATCH_INLINE + " or " + HandlerProperties.DISPATCH_QUEUED + ")");
            }
        }
        String guest = "";
        Object guestProperty = properties.get(HandlerProperties.GUEST);
        if (guestProperty != null) {
            guest = guestProperty instanceof String g ? g.strip() : "";
            if (guest.isEmpty()) {
                problems.add(HandlerProperties.GUEST + " '" + guestProperty + "' is not a guest name (expected:"
                        + " non-blank String)");
            } else if (!devices.isEmpty() || domains.isEmpty()) {
                problems.add(HandlerProperties.GUEST + " is for a guest's vIOMMU, which serves its domains: it needs "
                        + HandlerProperties.DOMAIN + " and no " + HandlerProperties.DEVICE);
            }
        }
        if (domains.isEmpty() && devices.isEmpty() && problems.isEmpty()) {
            problems.add("no target: set " + HandlerProperties.DOMAIN + " or " + HandlerProperties.DEVICE);
        }
        return new HandlerRegistration(name, bundle, serviceId, ranking, domains, devices, pasids, timeoutMillis,
                queued, guest, problems);
    }

    /** Whether the registration is refused as a whole (it has a problem). */
    public boolean refused() {
        return !problems.isEmpty();
    }

    /** This registration with another service id (for registrations made without one). */
    public HandlerRegistration withServiceId(long id) {
        return new HandlerRegistration(name, bundle, id, ranking, domains, devices, pasids, timeoutMillis, queued,
                guest, problems);
    }

    /** Whether this handler has no deadline ({@link HandlerProperties#NO_DEADLINE}). */
    public boolean noDeadline() {
        return timeoutMillis == HandlerProperties.NO_DEADLINE;
    }

    /** Whether this handler serves {@code pasid} of its devices. */
    boolean servesPasid(int pasid) {
        return pasids.isEmpty() || pasids.contains(pasid);
    }

    /** A single value, an array or a collection, as a list. */
    private static List<Object> values(Object property) {
        List<Object> out = new ArrayList<>();
        if (property == null) {
            return out;
        }
        if (property instanceof Collection<?> c) {
            out.addAll(c);
        } else if (property.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(property); i++) {
                out.add(Array.get(property, i));
            }
        } else {
            out.add(property);
        }
        return out;
    }
}
