package dev.faultline.demo.internal;

import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.drivers.usnic.Usnic;
import dev.faultline.demo.StepResult;
import java.util.Optional;
import java.util.Set;

/**
 * The usNIC VF behind VT-d writes into a receive buffer its user deregistered: the unit records unrecoverable
 * faults, the backend reports them, and, the driver having no handler (as in Linux), the core counts them as
 * unhandled and logs them rate-limited.
 */
final class UsnicStep implements DemoStep {
    private static final String TITLE = "unrecoverable DMA faults through VT-d (usNIC, no handler)";
    private static final long BUFFER = 0x7e00_0000_0000L;
    private static final int FAULTS = 8;

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public Set<String> expectedLogSources() {
        return Set.of("dev.faultline.intel-vtd");
    }

    @Override
    public StepResult run(DemoServices services) throws InterruptedException {
        Optional<Usnic> usnic = services.await(Usnic.class, "(device=" + DemoTopology.USNIC + ")");
        Optional<FaultStatistics> statistics = services.await(FaultStatistics.class, null);
        if (usnic.isEmpty() || statistics.isEmpty()) {
            return Checks.notRun(TITLE, "no usNIC VF (drivers-usnic configured for " + DemoTopology.USNIC + ")");
        }
        Usnic vf = usnic.get();
        Checks checks = new Checks();
        long before = reported(statistics.get());
        long failedBefore = vf.status().failedDma();
        vf.register(BUFFER, 0x1000, true);
        checks.expect(vf.receive(BUFFER + 8, 0x5a), "a receive into a registered buffer completes");
        vf.deregister(BUFFER);
        for (int i = 0; i < FAULTS; i++) {
            vf.receive(BUFFER + 16L * i, i);
            long expected = before + i + 1;
            // one at a time, so the unit's fault recording registers never overflow
            services.until(() -> reported(statistics.get()) >= expected);
        }
        long reported = reported(statistics.get()) - before;
        checks.expect(vf.status().failedDma() - failedBefore == FAULTS, (vf.status().failedDma() - failedBefore)
                + "/" + FAULTS + " receives into the deregistered buffer failed");
        checks.expect(reported == FAULTS, reported + " unrecoverable faults reported to the core, unhandled");
        return checks.result(TITLE);
    }

    private static long reported(FaultStatistics statistics) {
        return statistics.devices().stream().filter(d -> d.device().equals(DemoTopology.USNIC))
                .map(DeviceStatus::counts).mapToLong(FaultCounts::reported).sum();
    }
}
