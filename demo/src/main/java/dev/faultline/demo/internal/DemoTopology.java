package dev.faultline.demo.internal;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

/**
 * The machine the demo runs on, written into Config Admin as a deployment would (and as
 * {@code launcher/conf/faultline.conf} does): one SMMUv3 and one VT-d unit with their backends, the firmware's
 * device list, and the drivers' configurations. Whatever is configured already is kept; only what is missing
 * is added.
 */
final class DemoTopology {
    static final String SMMU = "smmuv3.0";
    static final String DMAR = "dmar0";
    static final String SVA_NIC = "0000:03:00.0";
    static final int SVA_NIC_RID = 0x300;
    static final String REMOTEPROC = "platform:mpss";
    static final String GPU = "platform:adreno0";
    static final String USNIC = "0000:05:00.2";
    static final int ACCEL_RID = 0x600;
    /** A NIC VF behind the SMMUv3 that the demo gives to an Arm guest. */
    static final String GUEST_VF = "0000:07:00.0";
    static final int GUEST_VF_SID = 0x700;
    /** An accelerator with PRI behind VT-d that the demo gives to an x86 guest. */
    static final String GUEST_ACCEL = "0000:08:00.0";
    static final int GUEST_ACCEL_RID = 0x800;

    /** The firmware's device nodes the demo needs ({@code <id>@<iommu>:<requester id>[:pri][:stall]}). */
    static final List<String> DEVICES = List.of(
            SVA_NIC + "@" + SMMU + ":0x300:pri",
            REMOTEPROC + "@" + SMMU + ":0x20",
            GPU + "@" + SMMU + ":0x30:stall",
            USNIC + "@" + DMAR + ":0x502",
            "0000:06:00.0@" + DMAR + ":0x600:pri",
            GUEST_VF + "@" + SMMU + ":0x700",
            GUEST_ACCEL + "@" + DMAR + ":0x800:pri");

    private DemoTopology() {
    }

    /**
     * Adds what the demo needs and is not configured.
     *
     * @return whether anything was added (the machine and its users then restart)
     */
    static boolean ensure(ConfigurationAdmin admin) throws IOException, InvalidSyntaxException {
        boolean changed = machineDevices(admin);
        changed |= factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        changed |= factory(admin, "dev.faultline.platform.vtd", "name", Map.of("name", DMAR));
        changed |= factory(admin, "dev.faultline.vtd", "unit.target",
                Map.of("unit.target", "(iommu.name=" + DMAR + ")"));
        changed |= factory(admin, "dev.faultline.drivers.usnic", "device", Map.of("device", USNIC,
                "iommu.target", "(faultline.iommu=" + DMAR + ")")); // the unit it sits behind, whatever else exists
        changed |= factory(admin, "dev.faultline.drivers.remoteproc", "device",
                // every demo run crashes it once: no crash-loop bound, so that runs may follow one another
                Map.of("device", REMOTEPROC, "name", "mpss", "device.name", "remoteproc1", "faultline.domain", "mpss",
                        "smmu.target", "(iommu.name=" + SMMU + ")", "crashloop.max.recoveries", 0));
        changed |= factory(admin, "dev.faultline.drivers.msm", "faultline.device", Map.of("faultline.device", GPU));
        return changed;
    }

    private static boolean machineDevices(ConfigurationAdmin admin) throws IOException {
        Configuration machine = admin.getConfiguration("dev.faultline.platform.machine", "?");
        Dictionary<String, Object> properties = machine.getProperties();
        List<String> devices = new ArrayList<>();
        Object current = properties == null ? null : properties.get("devices");
        if (current instanceof String[] array) {
            devices.addAll(Arrays.asList(array));
        } else if (current instanceof String single && !single.isBlank()) {
            devices.add(single);
        }
        List<String> ids = devices.stream().map(d -> d.substring(0, d.lastIndexOf('@'))).toList();
        boolean added = false;
        for (String node : DEVICES) {
            if (!ids.contains(node.substring(0, node.lastIndexOf('@')))) {
                devices.add(node);
                added = true;
            }
        }
        if (added) {
            Dictionary<String, Object> values = properties == null ? new Hashtable<>() : properties;
            values.put("devices", devices.toArray(String[]::new));
            machine.update(values);
        }
        return added;
    }

    private static boolean factory(ConfigurationAdmin admin, String factoryPid, String key, Map<String, Object> values)
            throws IOException, InvalidSyntaxException {
        String value = String.valueOf(values.get(key)).replaceAll("([\\\\()*])", "\\\\$1");
        Configuration[] existing = admin.listConfigurations("(&(service.factoryPid=" + factoryPid + ")(" + key + "="
                + value + "))");
        if (existing != null) {
            return false;
        }
        admin.createFactoryConfiguration(factoryPid, "?").update(new Hashtable<>(values));
        return true;
    }
}
