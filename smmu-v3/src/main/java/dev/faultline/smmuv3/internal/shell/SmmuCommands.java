package dev.faultline.smmuv3.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.internal.DrivenSmmu;
import dev.faultline.smmuv3.internal.DriverStatistics;
import dev.faultline.smmuv3.internal.SmmuStatus;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentSkipListMap;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;

/**
 * Gogo command {@code faultline:smmu}: every SMMUv3 the backend drives, or one, as tables (JSON with
 * {@code --json}): the SMMUs, their streams, the driver's and the hardware's counters.
 */
@Component(service = SmmuCommands.class)
@ShellCommands(function = "smmu")
public final class SmmuCommands {
    static final String USAGE = "[--json] [<smmu>]";

    private final Map<String, DrivenSmmu> drivers = new ConcurrentSkipListMap<>();

    /** An SMMU the backend drives (its service object is the driver). */
    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void bindDomains(SmmuDomains domains) {
        if (domains instanceof DrivenSmmu driven) {
            drivers.put(driven.name(), driven);
        }
    }

    void unbindDomains(SmmuDomains domains) {
        if (domains instanceof DrivenSmmu driven) {
            drivers.remove(driven.name(), driven);
        }
    }

    /** Every SMMU the backend drives, or the one named. */
    @Descriptor("SMMUv3s: streams and their attachments, stalled transactions, driver and hardware counters")
    public String smmu(@Descriptor(USAGE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:smmu", USAGE, arguments);
        Map<String, SmmuStatus> statuses = new TreeMap<>();
        drivers.forEach((name, driver) -> statuses.put(name, driver.status()));
        args.optional("smmu").ifPresent(name -> {
            if (!statuses.containsKey(name)) {
                throw new IllegalArgumentException("no SMMUv3 " + name + " (the backend drives " + statuses.keySet()
                        + ")");
            }
            statuses.keySet().retainAll(List.of(name));
        });
        Table smmus = Table.of("smmu", "streams", "stalled", "took over").titled("smmus");
        Table streams = Table.of("smmu", "device", "stream id", "mode", "attached").titled("streams");
        Map<String, DriverStatistics> driver = new LinkedHashMap<>();
        Map<String, SmmuStatistics> hardware = new LinkedHashMap<>();
        for (SmmuStatus status : statuses.values()) {
            smmus.row(status.name(), status.streams().size(), status.stalled(), status.driver().tookOver());
            for (SmmuStatus.StreamStatus stream : status.streams()) {
                streams.row(status.name(), stream.device(), stream.streamId(), stream.mode(), stream.attached());
            }
            driver.put(status.name(), status.driver());
            hardware.put(status.name(), status.hardware());
        }
        List<Table> tables = new ArrayList<>(List.of(smmus, streams));
        Table driverTable = Table.ofRecords("smmu", DriverStatistics.class, driver).titled("driver");
        Table hardwareTable = Table.ofRecords("smmu", SmmuStatistics.class, hardware).titled("hardware");
        tables.add(args.json() ? driverTable : driverTable.transposed("driver counter"));
        tables.add(args.json() ? hardwareTable : hardwareTable.transposed("hardware counter"));
        return Table.render(args.json(), tables.toArray(Table[]::new));
    }
}
