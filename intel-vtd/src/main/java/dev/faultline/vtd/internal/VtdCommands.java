package dev.faultline.vtd.internal;

import dev.faultline.vtd.VtdIommu;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/** Gogo commands of scope {@code faultline}: {@code vtd}. They return data. */
@Component(service = VtdCommands.class, property = {"osgi.command.scope=faultline", "osgi.command.function=vtd"})
public final class VtdCommands {
    private final Map<String, UnitDriver> drivers = new ConcurrentSkipListMap<>();

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindIommu(VtdIommu iommu) {
        if (iommu instanceof UnitDriver driver) {
            drivers.put(driver.name(), driver);
        }
    }

    void unbindIommu(VtdIommu iommu) {
        drivers.remove(iommu.name(), iommu);
    }

    /** Every unit the backend drives. */
    @Descriptor("VT-d units: attachments, driver counters (page requests, faults, responses) and unit counters")
    public List<VtdStatus> vtd() {
        List<VtdStatus> out = new ArrayList<>();
        drivers.values().forEach(d -> out.add(d.status()));
        return out;
    }

    /** One unit. */
    @Descriptor("one VT-d unit by name")
    public List<VtdStatus> vtd(@Descriptor("unit name, e.g. dmar0") String name) {
        UnitDriver driver = drivers.get(name);
        return driver == null ? List.of() : List.of(driver.status());
    }
}
