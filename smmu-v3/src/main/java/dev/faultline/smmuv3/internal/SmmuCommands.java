package dev.faultline.smmuv3.internal;

import java.util.ArrayList;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands of scope {@code faultline}: {@code smmu}. They return data. */
@Component(service = SmmuCommands.class, property = {"osgi.command.scope=faultline", "osgi.command.function=smmu"})
public final class SmmuCommands {
    private final SmmuDrivers drivers;

    /** Commands over the backend's drivers. */
    @Activate
    public SmmuCommands(@Reference SmmuDrivers drivers) {
        this.drivers = drivers;
    }

    /** Every SMMU the backend drives. */
    @Descriptor("SMMUv3s: devices and their attachments, stalled transactions, driver and hardware counters")
    public List<SmmuStatus> smmu() {
        List<SmmuStatus> out = new ArrayList<>();
        drivers.drivers().values().forEach(d -> out.add(d.status()));
        return out;
    }

    /** One SMMU. */
    @Descriptor("one SMMUv3 by name")
    public List<SmmuStatus> smmu(@Descriptor("SMMU name, e.g. smmuv3.0") String name) {
        SmmuDriver d = drivers.drivers().get(name);
        return d == null ? List.of() : List.of(d.status());
    }
}
