package dev.faultline.itests.drivers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.drivers.usnic.Usnic;
import dev.faultline.itests.Services;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The usNIC bundle on the simulated machine: its VF does real DMA through the VT-d unit, the VT-d backend
 * reports the faults into the core, and nobody handles them.
 */
class UsnicOSGiTest {
    private static final String USNIC = "0000:05:00.1";
    private static final long RECV = 0x7f00_0000_0000L;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    FaultStatistics statistics;

    @InjectService
    LogReaderService logReader;

    private final List<String> dmarLines = new CopyOnWriteArrayList<>();
    private final LogListener listener = entry -> {
        if (entry.getMessage().startsWith("DMAR: ") && entry.getMessage().contains("[05:00.1]")) {
            dmarLines.add(entry.getMessage());
        }
    };
    private Usnic usnic;

    @BeforeEach
    void deploy() throws Exception {
        Services.factory(admin, "dev.faultline.platform.vtd", "name", Map.of("name", "dmar0"));
        Services.plug(context, USNIC + "@dmar0:0x501");
        // one rate-limit window for the whole test: which lines print must not depend on how fast it runs
        Services.factory(admin, "dev.faultline.vtd", "unit.target",
                Map.of("unit.target", "(iommu.name=dmar0)", "log.interval.ms", 3_600_000L));
        Services.factory(admin, "dev.faultline.drivers.usnic", "device", Map.of("device", USNIC,
                "iommu.target", "(faultline.iommu=dmar0)")); // other tests drive units of their own
        usnic = Services.service(context, Usnic.class);
        logReader.addLogListener(listener);
    }

    @AfterEach
    void stopListening() {
        logReader.removeLogListener(listener);
    }

    private FaultCounts counts() {
        return statistics.devices().stream().filter(d -> d.device().equals(USNIC))
                .map(DeviceStatus::counts).findFirst().orElseThrow();
    }

    @Test
    void itsFaultsAreReportedPrintedRateLimitedAndCountedThoughItRegistersNoHandler() {
        usnic.register(RECV, 0x1000, true);
        assertThat(usnic.receive(RECV + 8, 7)).isTrue();
        assertThat(usnic.transmit(RECV + 8)).hasValue(7);
        usnic.deregister(RECV);
        long before = counts().reported();

        for (int i = 0; i < 14; i++) {
            assertThat(usnic.receive(RECV + 16L * i, i)).as("the VF writes where nothing is registered").isFalse();
            long expected = before + i + 1;
            // one fault at a time, so the unit's fault recording registers never overflow
            Services.await(() -> counts().reported() == expected);
        }

        FaultCounts counts = counts();
        assertThat(counts.reported() - before).isEqualTo(14);
        assertThat(counts.noHandler()).isGreaterThanOrEqualTo(14);
        assertThat(counts.delivered()).isZero();
        assertThat(usnic.status().failedDma()).isGreaterThanOrEqualTo(14);
        // the log service hands entries to listeners on a thread of its own: wait for the burst to arrive
        Services.await(() -> dmarLines.size() >= 10);
        assertThat(dmarLines).hasSize(10)
                .allSatisfy(l -> assertThat(l).startsWith("DMAR: [DMA Write NO_PASID] Request device [05:00.1]"));

        Bundle usnicBundle = FrameworkUtil.getBundle(Usnic.class);
        ServiceReference<?>[] registered = usnicBundle.getRegisteredServices();
        assertThat(registered).isNotNull().allSatisfy(ref -> assertThat(
                Arrays.asList((String[]) ref.getProperty("objectClass"))).doesNotContain(FaultHandler.class.getName()));
        assertThat(statistics.handlers()).noneMatch(h -> h.bundle().equals(usnicBundle.getSymbolicName()));
    }
}
