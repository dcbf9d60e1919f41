package dev.faultline.itests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.time.Duration;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * What the in-framework tests share: waiting for a condition or a service, calling a shell command, and setting
 * up the simulated machine as a deployment would (IOMMU instances through Configuration Admin, once per framework;
 * devices hot-plugged into the running machine, so that nothing else on it restarts).
 */
public final class Services {
    /** How long a test waits for something that happens on another thread. */
    public static final Duration WAIT = Duration.ofSeconds(20);

    private Services() {
    }

    /** Waits ({@link #WAIT} at most, polling) until {@code condition} holds, failing the test otherwise. */
    public static void await(BooleanSupplier condition) {
        await(condition, WAIT);
    }

    /** Waits ({@code limit} at most, polling) until {@code condition} holds, failing the test otherwise. */
    public static void await(BooleanSupplier condition, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within %d s", limit.toSeconds()).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Waits ({@link #WAIT} at most) for a service of {@code type}, and returns it. */
    public static <T> T service(BundleContext context, Class<T> type) {
        return service(context, type, null);
    }

    /** Waits ({@link #WAIT} at most) for a service of {@code type} matching {@code filter} (may be null). */
    public static <T> T service(BundleContext context, Class<T> type, String filter) {
        Object[] found = new Object[1];
        await(() -> {
            try {
                var refs = context.getServiceReferences(type, filter);
                if (refs.isEmpty()) {
                    return false;
                }
                found[0] = context.getService(refs.iterator().next());
                return found[0] != null;
            } catch (InvalidSyntaxException e) {
                throw new IllegalArgumentException(e);
            }
        });
        return type.cast(found[0]);
    }

    /**
     * Runs {@code line} in a Gogo session of the framework's command processor, as the shell does when a user
     * types it, and returns what the command returned (the text the shell prints); the command's exception, or
     * Gogo's own when it cannot call the command, is thrown.
     */
    public static Object shell(BundleContext context, String line) throws Exception {
        CommandProcessor processor = service(context, CommandProcessor.class);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), out, out)) {
            return session.execute(line);
        }
    }

    /** Plugs {@code node} (firmware text form) into the machine unless a device with its id is there. */
    public static void plug(BundleContext context, String node) {
        DeviceNode device = DeviceNode.parse(node);
        Machine machine = service(context, Machine.class);
        if (machine.devices().stream().noneMatch(d -> d.id().equals(device.id()))) {
            machine.addDevice(device);
        }
    }

    /**
     * Creates the factory configuration {@code factoryPid} with {@code values} unless one with the same
     * {@code key} value exists.
     */
    public static void factory(ConfigurationAdmin admin, String factoryPid, String key, Map<String, Object> values)
            throws IOException, InvalidSyntaxException {
        String value = String.valueOf(values.get(key)).replaceAll("([\\\\()*])", "\\\\$1");
        if (admin.listConfigurations("(&(service.factoryPid=" + factoryPid + ")(" + key + "=" + value + "))") == null) {
            admin.createFactoryConfiguration(factoryPid, "?").update(new Hashtable<>(values));
        }
    }
}
