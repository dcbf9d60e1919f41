package dev.faultline.viommu.internal.shell;

import dev.faultline.core.shell.CommandArguments;
import dev.faultline.core.shell.ShellCommands;
import dev.faultline.core.shell.Table;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import dev.faultline.viommu.VirtualSmmuStatistics;
import dev.faultline.viommu.VirtualVtdStatistics;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Gogo commands {@code faultline:viommus} and {@code faultline:viommu}: guests' virtual IOMMU counters, and
 * {@code faultline:vsmmus} and {@code faultline:vvtds}: the counters of the virtual SMMUv3s and VT-d units guests
 * program; a column per guest (JSON with
 * {@code --json}: a row per guest).
 */
@Component(service = ViommuCommands.class)
@ShellCommands(function = {"viommus", "viommu", "vsmmus", "vvtds"})
public final class ViommuCommands {
    static final String ALL = "[--json]";
    static final String ONE = "[--json] <guest>";

    private final VirtualIommus viommus;

    /** Commands over the virtual IOMMU service. */
    @Activate
    public ViommuCommands(@Reference VirtualIommus viommus) {
        this.viommus = viommus;
    }

    /** Every open guest's counters. */
    @Descriptor("counters of every guest's virtual IOMMU")
    public String viommus(@Descriptor(ALL) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:viommus", ALL, arguments);
        Map<String, GuestStatistics> guests = new LinkedHashMap<>();
        for (VirtualIommu guest : viommus.guests()) {
            guests.put(guest.name(), guest.statistics());
        }
        return render(args, guests);
    }

    /** One guest's counters. */
    @Descriptor("counters of one guest's virtual IOMMU")
    public String viommu(@Descriptor(ONE) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:viommu", ONE, arguments);
        String guest = args.text("guest");
        GuestStatistics statistics = viommus.guest(guest).map(VirtualIommu::statistics)
                .orElseThrow(() -> new IllegalArgumentException("no open virtual IOMMU for guest " + guest));
        return render(args, Map.of(guest, statistics));
    }

    /** The counters of every open guest's virtual SMMUv3. */
    @Descriptor("counters of the virtual SMMUv3 each guest programs (commands, refusals, events, stalls)")
    public String vsmmus(@Descriptor(ALL) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:vsmmus", ALL, arguments);
        Map<String, VirtualSmmuStatistics> smmus = new LinkedHashMap<>();
        for (VirtualIommu guest : viommus.guests()) {
            viommus.smmuV3(guest.name()).ifPresent(s -> smmus.put(guest.name(), s.statistics()));
        }
        Table table = Table.ofRecords("guest", VirtualSmmuStatistics.class, smmus);
        return Table.render(args.json(), args.json() ? table : table.transposed("counter"));
    }

    /** The counters of every open guest's virtual VT-d unit. */
    @Descriptor("counters of the virtual VT-d unit each guest programs (descriptors, refusals, fault records,"
            + " page requests)")
    public String vvtds(@Descriptor(ALL) String... arguments) {
        CommandArguments args = CommandArguments.parse("faultline:vvtds", ALL, arguments);
        Map<String, VirtualVtdStatistics> units = new LinkedHashMap<>();
        for (VirtualIommu guest : viommus.guests()) {
            viommus.vtd(guest.name()).ifPresent(v -> units.put(guest.name(), v.statistics()));
        }
        Table table = Table.ofRecords("guest", VirtualVtdStatistics.class, units);
        return Table.render(args.json(), args.json() ? table : table.transposed("counter"));
    }

    private static String render(CommandArguments args, Map<String, GuestStatistics> guests) {
        List<String> headers = new ArrayList<>(List.of("guest"));
        headers.addAll(GuestStatistics.builder().build().counters().keySet());
        Table table = Table.of(headers.toArray(String[]::new));
        guests.forEach((name, statistics) -> {
            List<Object> cells = new ArrayList<>(List.of(name));
            cells.addAll(statistics.counters().values());
            table.row(cells.toArray());
        });
        return Table.render(args.json(), args.json() ? table : table.transposed("counter"));
    }
}
