package dev.faultline.demo.internal;

import dev.faultline.api.handler.FaultHandler;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.util.tracker.ServiceTracker;

/**
 * The services one demo run uses: found through the registry with a bounded wait (components start
 * asynchronously), and released, with the handlers the run registered, when the run ends.
 */
final class DemoServices implements AutoCloseable {
    private final BundleContext context;
    private final long waitMillis;
    private final List<ServiceTracker<?, ?>> trackers = new ArrayList<>();
    private final List<ServiceRegistration<?>> registrations = new ArrayList<>();

    DemoServices(BundleContext context, long waitMillis) {
        this.context = context;
        this.waitMillis = waitMillis;
    }

    /**
     * The service of {@code type} matching {@code filter} (LDAP, or {@code null}), waiting for it.
     *
     * @return empty if none was registered within the wait
     */
    <T> Optional<T> await(Class<T> type, String filter) throws InterruptedException {
        String objectClass = "(objectClass=" + type.getName() + ")";
        ServiceTracker<T, T> tracker;
        try {
            tracker = new ServiceTracker<>(context, FrameworkUtil.createFilter(
                    filter == null ? objectClass : "(&" + objectClass + filter + ")"), null);
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException("bad filter " + filter, e);
        }
        tracker.open();
        trackers.add(tracker);
        return Optional.ofNullable(tracker.waitForService(waitMillis));
    }

    /** Registers a handler for this run only. */
    void registerHandler(FaultHandler handler, Map<String, Object> properties) {
        Dictionary<String, Object> dictionary = new Hashtable<>(properties);
        registrations.add(context.registerService(FaultHandler.class, handler, dictionary));
    }

    /**
     * Polls {@code condition} (every millisecond) until it holds or the wait passes.
     *
     * @return whether it held
     */
    boolean until(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        return true;
    }

    /** Unregisters the handlers registered so far (before a step runs again, so its new handlers serve alone). */
    void unregisterHandlers() {
        for (ServiceRegistration<?> registration : registrations) {
            try {
                registration.unregister();
            } catch (IllegalStateException alreadyGone) {
                // the framework is stopping
            }
        }
        registrations.clear();
    }

    /** Unregisters the run's handlers and releases its services. */
    @Override
    public void close() {
        unregisterHandlers();
        trackers.forEach(ServiceTracker::close);
    }
}
