package dev.faultline.shell.config;

import java.io.IOException;
import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jspecify.annotations.Nullable;
import org.osgi.annotation.versioning.ProviderType;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/**
 * Waits until every configuration written to Config Admin so far has been applied by Declarative Services: the
 * point after which no component restarts for a configuration change already made, so a service found then
 * stays (a component configured a moment later would otherwise be replaced under its user). Two conditions, both
 * observed rather than timed:
 *
 * <ol>
 *   <li>Config Admin has delivered every configuration event issued so far. A marker configuration is written
 *       and its event awaited: Config Admin delivers events in order, each to every listener before the next
 *       (DS's own listener, which reconfigures the component in the event, included).</li>
 *   <li>DS shows every configuration applied: for each enabled component, every configuration of its
 *       configuration PIDs has a component configuration carrying that configuration's {@code service.pid} and
 *       properties, and a component with factory configurations has no unconfigured instance left.</li>
 * </ol>
 *
 * <p>The launcher's {@code configure} task awaits it after writing the configuration file; the demo awaits it
 * after configuring its topology, before its first step.
 */
@ProviderType
public final class ConfigurationSettled {
    /** The factory PID of the marker configurations (no component uses it). */
    public static final String MARKER_FACTORY_PID = "dev.faultline.launcher.settled";
    private static final String SERVICE_PID = "service.pid";
    private static final String SERVICE_FACTORY_PID = "service.factoryPid";

    private final BundleContext context;
    private final ConfigurationAdmin configurationAdmin;

    /**
     * @param context where the marker's listener registers and DS's runtime service is found
     * @param configurationAdmin where the configurations are
     */
    public ConfigurationSettled(BundleContext context, ConfigurationAdmin configurationAdmin) {
        this.context = context;
        this.configurationAdmin = configurationAdmin;
    }

    /**
     * Waits for both conditions.
     *
     * @return whether they held within {@code timeoutMillis}
     * @throws IOException if Config Admin cannot store the marker
     */
    public boolean await(long timeoutMillis) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        if (!eventsDelivered(timeoutMillis)) {
            return false;
        }
        while (!applied()) {
            if (System.nanoTime() - deadline > 0) {
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
            if (Thread.interrupted()) {
                throw new InterruptedException();
            }
        }
        return true;
    }

    /** Writes a marker configuration and waits for its event, which Config Admin delivers after every earlier one. */
    private boolean eventsDelivered(long timeoutMillis) throws IOException, InterruptedException {
        Configuration marker = configurationAdmin.createFactoryConfiguration(MARKER_FACTORY_PID, "?");
        String pid = marker.getPid();
        CountDownLatch delivered = new CountDownLatch(1);
        ConfigurationListener listener = event -> {
            if (event.getType() == ConfigurationEvent.CM_UPDATED && pid.equals(event.getPid())) {
                delivered.countDown();
            }
        };
        ServiceRegistration<ConfigurationListener> registration =
                context.registerService(ConfigurationListener.class, listener, null);
        try {
            marker.update(new Hashtable<>(Map.of("purpose", "marks the end of a batch of configuration changes")));
            return delivered.await(timeoutMillis, TimeUnit.MILLISECONDS);
        } finally {
            registration.unregister();
            marker.delete();
        }
    }

    /** Whether DS shows every configuration of its components applied (true without a DS runtime service). */
    boolean applied() {
        ServiceReference<ServiceComponentRuntime> reference = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime runtime = reference == null ? null : context.getService(reference);
        if (runtime == null) {
            return true;
        }
        try {
            for (ComponentDescriptionDTO description : runtime.getComponentDescriptionDTOs()) {
                if (runtime.isComponentEnabled(description) && !applied(description,
                        runtime.getComponentConfigurationDTOs(description))) {
                    return false;
                }
            }
            return true;
        } catch (IOException | InvalidSyntaxException e) {
            return false;
        } finally {
            context.ungetService(reference);
        }
    }

    private boolean applied(ComponentDescriptionDTO description, Collection<ComponentConfigurationDTO> instances)
            throws IOException, InvalidSyntaxException {
        if ("ignore".equals(description.configurationPolicy)) {
            return true;
        }
        for (String pid : description.configurationPid) {
            List<Configuration> configurations = configurations(pid);
            Set<String> configuredPids = new HashSet<>();
            for (Configuration configuration : configurations) {
                configuredPids.add(configuration.getPid());
                if (instances.stream().noneMatch(i -> carries(i.properties, configuration))) {
                    return false;
                }
            }
            boolean factory = configurations.stream().anyMatch(c -> c.getFactoryPid() != null);
            if (factory && instances.stream().anyMatch(i -> !configuredPids.contains(pidOf(i.properties)))) {
                return false; // an unconfigured (or deleted) instance DS has not yet replaced
            }
        }
        return true;
    }

    private List<Configuration> configurations(String pid) throws IOException, InvalidSyntaxException {
        String escaped = pid.replaceAll("([\\\\()*])", "\\\\$1");
        Configuration[] found = configurationAdmin.listConfigurations(
                "(|(" + SERVICE_PID + "=" + escaped + ")(" + SERVICE_FACTORY_PID + "=" + escaped + "))");
        List<Configuration> out = new ArrayList<>();
        if (found != null) {
            for (Configuration c : found) {
                if (c.getProperties() != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** Whether a component configuration's properties hold the configuration's (its PID and every value). */
    private static boolean carries(Map<String, Object> properties, Configuration configuration) {
        Dictionary<String, Object> values = configuration.getProperties();
        if (values == null || !configuration.getPid().equals(pidOf(properties))) {
            return false;
        }
        for (Enumeration<String> keys = values.keys(); keys.hasMoreElements(); ) {
            String key = keys.nextElement();
            if (!same(values.get(key), properties.get(key))) {
                return false;
            }
        }
        return true;
    }

    private static @Nullable String pidOf(Map<String, Object> properties) {
        Object pid = properties.get(SERVICE_PID);
        if (pid != null && pid.getClass().isArray()) {
            return Array.getLength(pid) == 0 ? null : String.valueOf(Array.get(pid, 0));
        }
        if (pid instanceof Collection<?> pids) {
            return pids.isEmpty() ? null : String.valueOf(pids.iterator().next());
        }
        return pid == null ? null : pid.toString();
    }

    /** Equal values, or, for types the DS runtime shows as text, equal text. */
    private static boolean same(@Nullable Object configured, @Nullable Object shown) {
        if (Objects.deepEquals(configured, shown)) {
            return true;
        }
        if (configured == null || shown == null) {
            return false;
        }
        return text(configured).equals(text(shown));
    }

    private static String text(Object value) {
        if (value.getClass().isArray()) {
            List<String> items = new ArrayList<>();
            for (int i = 0; i < Array.getLength(value); i++) {
                items.add(String.valueOf(Array.get(value, i)));
            }
            return items.toString();
        }
        if (value instanceof Collection<?> items) {
            return items.stream().map(String::valueOf).toList().toString();
        }
        return value.toString();
    }
}
