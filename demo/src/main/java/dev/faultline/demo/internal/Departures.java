package dev.faultline.demo.internal;

import java.util.concurrent.atomic.AtomicLong;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;

/**
 * Counts, while open, the services of other bundles that go away: a backend or a driver being replaced (a
 * {@code faultline:swap}) while a demo step uses it.
 */
final class Departures implements AutoCloseable {
    private final BundleContext context;
    private final AtomicLong count = new AtomicLong();
    private final ServiceListener listener;

    Departures(BundleContext context) {
        this.context = context;
        Bundle own = context.getBundle();
        this.listener = event -> {
            if (event.getType() == ServiceEvent.UNREGISTERING
                    && !own.equals(event.getServiceReference().getBundle())) {
                count.incrementAndGet();
            }
        };
        context.addServiceListener(listener);
    }

    /** Services of other bundles unregistered since this opened. */
    long count() {
        return count.get();
    }

    @Override
    public void close() {
        try {
            context.removeServiceListener(listener);
        } catch (IllegalStateException stopping) {
            // the framework is stopping: its listeners go with it
        }
    }
}
