package dev.faultline.core.internal.shell;

import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.PendingGroup;
import java.util.List;
import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/** Gogo commands of scope {@code faultline}: {@code stats}, {@code pending}, {@code handlers}. They return data. */
@Component(service = FaultlineCommands.class)
@ShellCommands(scope = "faultline", function = {"stats", "pending", "handlers"})
public final class FaultlineCommands {
    private final FaultStatistics statistics;

    /** Commands over {@code statistics}. */
    @Activate
    public FaultlineCommands(@Reference FaultStatistics statistics) {
        this.statistics = statistics;
    }

    /**
     * The totals, whether they balance, and every device's counters.
     *
     * @param balanced whether every fault has an outcome and every group is answered or pending
     */
    public record Report(FaultCounts totals, boolean balanced, List<DeviceStatus> devices) {
    }

    /** The totals and the per-device counters. */
    @Descriptor("fault counters: totals (and whether they balance) and per device")
    public Report stats() {
        FaultCounts totals = statistics.totals();
        return new Report(totals, totals.balanced(), statistics.devices());
    }

    /** One device's counters. */
    @Descriptor("fault counters of one device")
    public List<DeviceStatus> stats(@Descriptor("device id, e.g. 0000:00:03.0 or sid:0x42") String device) {
        return statistics.devices().stream().filter(d -> d.device().equals(device)).toList();
    }

    /** The groups waiting for an answer. */
    @Descriptor("page request groups waiting for an answer, oldest first")
    public List<PendingGroup> pending() {
        return statistics.pending();
    }

    /** The registered handlers. */
    @Descriptor("registered fault handlers: targets, dispatch mode, state and counters")
    public List<HandlerStatus> handlers() {
        return statistics.handlers();
    }
}
