package dev.faultline.itests.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import java.io.IOException;
import java.util.Hashtable;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The simulated machine the driver tests share: IOMMU instances created through Configuration Admin as a
 * deployment would (once per framework), devices hot-plugged into the running machine so that nothing else on
 * it restarts.
 */
final class DriverMachine {
    private DriverMachine() {
    }

    /** Plugs {@code node} (firmware text form) into the machine unless a device with its id is there. */
    static void plug(BundleContext context, String node) {
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
    static void factory(ConfigurationAdmin admin, String factoryPid, String key, Map<String, Object> values)
            throws IOException, InvalidSyntaxException {
        String value = String.valueOf(values.get(key)).replaceAll("([\\\\()*])", "\\\\$1");
        org.osgi.service.cm.Configuration[] existing = admin.listConfigurations("(&(service.factoryPid=" + factoryPid + ")(" + key + "="
                + value + "))");
        if (existing != null) {
            return;
        }
        admin.createFactoryConfiguration(factoryPid, "?").update(new Hashtable<>(values));
    }

    /** Waits (at most 20 s) for a service of {@code type}, and returns it. */
    static <T> T service(BundleContext context, Class<T> type) {
        return service(context, type, null);
    }

    /** Waits (at most 20 s) for a service of {@code type} matching {@code filter} (may be null). */
    static <T> T service(BundleContext context, Class<T> type, String filter) {
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

    /** Waits (at most 20 s, polling) until {@code condition} holds. */
    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within 20 s").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }

    /** Calls the Gogo command {@code function} (scope {@code faultline}) with {@code args}, as the shell would. */
    static Object command(BundleContext context, String function, Object... args) throws Exception {
        var refs = context.getServiceReferences((String) null,
                "(&(osgi.command.scope=faultline)(osgi.command.function=" + function + "))");
        assertThat(refs).as("a command service with " + function).hasSize(1);
        Object commands = context.getService(refs[0]);
        try {
            Class<?>[] types = new Class<?>[args.length];
            java.util.Arrays.fill(types, String.class);
            return commands.getClass().getMethod(function, types).invoke(commands, args);
        } finally {
            context.ungetService(refs[0]);
        }
    }
}
