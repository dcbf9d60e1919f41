package dev.faultline.itests.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The simulated machine the driver tests share, set up through Configuration Admin as a deployment would: the
 * firmware's device list and the IOMMU instances, each created once per framework.
 */
final class DriverMachine {
    /** The usNIC VF, behind the VT-d unit. */
    static final String USNIC = "0000:05:00.1";
    /** Every device the driver tests use, in the firmware's text form. */
    static final List<String> DEVICES = List.of(USNIC + "@dmar0:0x501");

    private DriverMachine() {
    }

    /** Configures the machine's devices (once; an update would restart everything on the machine). */
    static void configure(ConfigurationAdmin admin) throws IOException {
        Configuration machine = admin.getConfiguration("dev.faultline.platform.machine", "?");
        Dictionary<String, Object> current = machine.getProperties();
        String[] devices = DEVICES.toArray(String[]::new);
        if (current == null || !Arrays.equals((String[]) current.get("devices"), devices)) {
            Dictionary<String, Object> values = new Hashtable<>();
            values.put("devices", devices);
            machine.update(values);
        }
    }

    /**
     * Creates the factory configuration {@code factoryPid} with {@code values} unless one with the same
     * {@code key} value exists.
     */
    static void factory(ConfigurationAdmin admin, String factoryPid, String key, Map<String, Object> values)
            throws IOException, InvalidSyntaxException {
        String value = String.valueOf(values.get(key)).replaceAll("([\\\\()*])", "\\\\$1");
        Configuration[] existing = admin.listConfigurations("(&(service.factoryPid=" + factoryPid + ")(" + key + "="
                + value + "))");
        if (existing != null) {
            return;
        }
        admin.createFactoryConfiguration(factoryPid, "?").update(new Hashtable<>(values));
    }

    /** Waits (at most 20 s) for a service of {@code type}, and returns it. */
    static <T> T service(BundleContext context, Class<T> type) {
        ServiceReference<T>[] found = new ServiceReference[1];
        await(() -> {
            found[0] = context.getServiceReference(type);
            return found[0] != null;
        });
        return context.getService(found[0]);
    }

    /** Waits (at most 20 s, polling) until {@code condition} holds. */
    static void await(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("condition within 20 s").isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
