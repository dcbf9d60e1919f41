package dev.faultline.faultlog;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Which device of the simulated machine stands for a device a log names, so that a replay reaches the driver that
 * owns that device ({@link DriverReplayer}). A log's key is any name the decoded report carries for its device,
 * exactly as {@code decode} prints it: the device ({@code 5180000.iommu}, {@code remoteproc2},
 * {@code arm-smmu-v3.2.auto}), the VT-d requester ({@code 04:00.0}), the remote processor ({@code cdsp}), the
 * fault model's device id ({@code sid:0x6}, {@code 0000:04:00.0}), or, for reports that name no device (msm),
 * the format ({@code msm-gpu-fault}). The first entry that matches a report wins.
 *
 * @param entries simulated device by log key, in the order given
 */
public record DeviceMap(Map<String, DeviceId> entries) {

    /** Copies the entries, keeping their order. */
    public DeviceMap {
        entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** No mapping: every fault is replayed in the replay namespace. */
    public static DeviceMap none() {
        return new DeviceMap(Map.of());
    }

    /**
     * Reads {@code <log key>=<device id>} entries, e.g. {@code remoteproc2=platform:mpss}.
     *
     * @throws IllegalArgumentException for an entry without {@code =}, an empty key, a bad device id, or a key
     *     given twice
     */
    public static DeviceMap parse(List<String> specs) {
        Map<String, DeviceId> entries = new LinkedHashMap<>();
        for (String spec : specs) {
            int eq = spec.lastIndexOf('=');
            if (eq <= 0 || eq == spec.length() - 1) {
                throw new IllegalArgumentException("map entry '" + spec + "' is not <log device>=<machine device>");
            }
            String key = spec.substring(0, eq).strip();
            DeviceId device = DeviceId.parse(spec.substring(eq + 1).strip());
            if (entries.putIfAbsent(key, device) != null) {
                throw new IllegalArgumentException("map entry for '" + key + "' given twice");
            }
        }
        return new DeviceMap(entries);
    }

    /** This map and {@code key} standing for {@code device}. */
    public DeviceMap with(String key, DeviceId device) {
        Map<String, DeviceId> more = new LinkedHashMap<>(entries);
        more.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(device, "device"));
        return new DeviceMap(more);
    }

    /** Whether nothing is mapped. */
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The machine device standing for the device of {@code fault}, if one of its names is mapped. */
    public Optional<DeviceId> target(DecodedFault fault) {
        for (String name : names(fault)) {
            DeviceId device = entries.get(name);
            if (device != null) {
                return Optional.of(device);
            }
        }
        return Optional.empty();
    }

    /** The names a report carries for its device, most specific first. */
    static List<String> names(DecodedFault fault) {
        List<String> names = new ArrayList<>();
        fault.toFault().map(Fault::device).map(DeviceId::toString).ifPresent(names::add);
        fault.text(FaultField.DEVICE).ifPresent(names::add);
        fault.text(FaultField.REQUESTER).ifPresent(names::add);
        fault.text(FaultField.RPROC).ifPresent(names::add);
        names.add(fault.format().key());
        return names;
    }
}
