package dev.faultline.core.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.handler.HandlerProperties;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * The service properties of one {@link dev.faultline.api.handler.FaultHandler} registration, read and
 * validated once ({@link HandlerProperties}). Values that cannot be used are left out and described in
 * {@link #problems()}, for the log; they never fail the registration as a whole.
 *
 * @param name component name, else the handler's class name
 * @param bundle the registering bundle's symbolic name
 * @param serviceId {@code service.id}
 * @param ranking {@code service.ranking} (0 if absent)
 * @param domains domain names served
 * @param devices devices served
 * @param pasids PASIDs the device targets are restricted to; empty for all
 * @param timeoutMillis the deadline of deferred and queued groups; 0 for the core's default
 * @param queued whether {@code faultline.dispatch} is {@code queued}
 * @param problems what was wrong with the properties
 */
record HandlerRegistration(String name, String bundle, long serviceId, int ranking, List<String> domains,
        List<DeviceId> devices, List<Integer> pasids, long timeoutMillis, boolean queued, List<String> problems) {

    HandlerRegistration {
        domains = List.copyOf(domains);
        devices = List.copyOf(devices);
        pasids = List.copyOf(pasids);
        problems = List.copyOf(problems);
    }

    /** Reads the properties of a registration by {@code bundle} of {@code handlerClass}. */
    static HandlerRegistration read(Map<String, ?> properties, String bundle, String handlerClass) {
        List<String> problems = new ArrayList<>();
        Object componentName = properties.get("component.name");
        String name = componentName != null ? componentName.toString() : handlerClass;
        long serviceId = properties.get("service.id") instanceof Number n ? n.longValue() : -1;
        int ranking = properties.get("service.ranking") instanceof Integer r ? r : 0;

        List<String> domains = new ArrayList<>();
        for (Object d : values(properties.get(HandlerProperties.DOMAIN))) {
            String text = String.valueOf(d).strip();
            if (text.isEmpty()) {
                problems.add(HandlerProperties.DOMAIN + " has a blank domain name");
            } else {
                domains.add(text);
            }
        }
        List<DeviceId> devices = new ArrayList<>();
        for (Object d : values(properties.get(HandlerProperties.DEVICE))) {
            try {
                devices.add(d instanceof DeviceId id ? id : DeviceId.parse(String.valueOf(d)));
            } catch (IllegalArgumentException e) {
                problems.add(HandlerProperties.DEVICE + ": " + e.getMessage());
            }
        }
        List<Integer> pasids = new ArrayList<>();
        for (Object p : values(properties.get(HandlerProperties.PASID))) {
            try {
                int pasid = p instanceof Number n ? n.intValue() : Integer.decode(String.valueOf(p).strip());
                pasids.add(Pasid.requireValidOrNone(pasid));
            } catch (IllegalArgumentException e) {
                problems.add(HandlerProperties.PASID + ": " + e.getMessage());
            }
        }
        if (!pasids.isEmpty() && devices.isEmpty()) {
            problems.add(HandlerProperties.PASID + " applies only with " + HandlerProperties.DEVICE + "; ignored");
        }
        long timeoutMillis = 0;
        Object timeout = properties.get(HandlerProperties.TIMEOUT_MS);
        if (timeout != null) {
            try {
                timeoutMillis = timeout instanceof Number n ? n.longValue() : Long.parseLong(timeout.toString().strip());
            } catch (NumberFormatException e) {
                problems.add(HandlerProperties.TIMEOUT_MS + " '" + timeout + "' is not a number of milliseconds");
            }
            if (timeoutMillis < 0) {
                problems.add(HandlerProperties.TIMEOUT_MS + " " + timeoutMillis + " is negative; using the default");
                timeoutMillis = 0;
            }
        }
        boolean queued = false;
        Object dispatch = properties.get(HandlerProperties.DISPATCH);
        if (dispatch != null) {
            String mode = dispatch.toString().strip();
            if (HandlerProperties.DISPATCH_QUEUED.equals(mode)) {
                queued = true;
            } else if (!HandlerProperties.DISPATCH_INLINE.equals(mode)) {
                problems.add(HandlerProperties.DISPATCH + " '" + mode + "' is neither "
                        + HandlerProperties.DISPATCH_INLINE + " nor " + HandlerProperties.DISPATCH_QUEUED
                        + "; using " + HandlerProperties.DISPATCH_INLINE);
            }
        }
        if (domains.isEmpty() && devices.isEmpty()) {
            problems.add("serves nothing: set " + HandlerProperties.DOMAIN + " or " + HandlerProperties.DEVICE);
        }
        return new HandlerRegistration(name, bundle, serviceId, ranking, domains, devices,
                devices.isEmpty() ? List.of() : pasids, timeoutMillis, queued, problems);
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
