package dev.faultline.vtd.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.platform.vtd.UnitCounters;
import dev.faultline.vtd.VtdIommu;
import dev.faultline.vtd.internal.DriverCounters;
import dev.faultline.vtd.internal.UnitDriver;
import dev.faultline.vtd.internal.VtdStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo command {@code faultline:vtd}: every VT-d unit the backend drives, or one, as tables (JSON with
 * {@code --json}): the units, their attachments, the driver's and the unit's counters.
 */
@Component(service = VtdCommands.class)
@ShellCommands(function = "vtd")
public final class VtdCommands {
    static final String USAGE = "[--json] [<unit>]";

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

    /** Every unit the backend drives, or the one named. */
    @Descriptor("VT-d units: attachments, driver counters (page requests, faults, responses) and unit counters")
    public String vtd(@Descriptor(USAGE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:vtd", USAGE, arguments);
        List<VtdStatus> statuses = new ArrayList<>();
        args.optional("unit").ifPresentOrElse(name -> {
            UnitDriver driver = drivers.get(name);
            if (driver == null) {
                throw new IllegalArgumentException("no VT-d unit " + name + " (the backend drives " + drivers.keySet()
                        + ")");
            }
            statuses.add(driver.status());
        }, () -> drivers.values().forEach(d -> statuses.add(d.status())));
        Table units = Table.of("unit", "segment", "translating", "took over", "attachments").titled("units");
        Table attachments = Table.of("unit", "attachment").titled("attachments");
        Map<String, DriverCounters> driver = new LinkedHashMap<>();
        Map<String, UnitCounters> hardware = new LinkedHashMap<>();
        for (VtdStatus status : statuses) {
            units.row(status.unit(), status.segment(), status.translating(), status.tookOver(),
                    status.attachments().size());
            status.attachments().forEach(a -> attachments.row(status.unit(), a));
            driver.put(status.unit(), status.driver());
            hardware.put(status.unit(), status.hardware());
        }
        Table driverTable = Table.ofRecords("unit", DriverCounters.class, driver).titled("driver");
        Table hardwareTable = Table.ofRecords("unit", UnitCounters.class, hardware).titled("hardware");
        return Table.render(args.json(), units, attachments,
                args.json() ? driverTable : driverTable.transposed("driver counter"),
                args.json() ? hardwareTable : hardwareTable.transposed("unit counter"));
    }
}
