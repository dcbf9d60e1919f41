package dev.faultline.itests.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.itests.Services;
import dev.faultline.testkit.backend.RecordingBackend;
import java.time.Duration;
import java.util.Dictionary;
import java.util.Hashtable;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** Configuration Admin and the shell commands of the core bundle, in a real framework. */
class CoreServicesOSGiTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin configAdmin;

    @InjectService
    FaultStatistics statistics;

    @InjectService
    FaultPipeline pipeline;

    private static long timeoutOfHandler(FaultStatistics stats, String name) {
        return stats.handlers().stream().filter(h -> h.name().equals(name)).mapToLong(HandlerStatus::timeoutMillis)
                .findFirst().orElse(-1);
    }

    @Test
    void aConfigurationChangeAppliesWithoutDisconnectingBackends() throws Exception {
        RecordingBackend backend = new RecordingBackend("itest-config");
        IommuPort iommu = pipeline.connect(backend);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DEVICE, "0000:02:00.0");
        props.put("component.name", "config-probe");
        ServiceRegistration<FaultHandler> reg = context.registerService(FaultHandler.class, g -> g.defer(), props);
        Configuration config = configAdmin.getConfiguration("dev.faultline.core", "?");
        try {
            DevicePort d = iommu.addDevice(DeviceId.parse("0000:02:00.0"));
            d.reportPageRequest(Pasid.NONE, 1, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0, 0, 0);
            assertThat(timeoutOfHandler(statistics, "config-probe")).isEqualTo(1000);

            Dictionary<String, Object> values = new Hashtable<>();
            values.put("timeout.default.ms", 60_000L);
            values.put("queue.depth", -3);
            config.update(values);

            Services.await(() -> timeoutOfHandler(statistics, "config-probe") == 60_000, Duration.ofSeconds(10));
            assertThat(statistics.pending()).singleElement().satisfies(p -> assertThat(p.device())
                    .isEqualTo("0000:02:00.0"));
            assertThat(iommu.device(DeviceId.parse("0000:02:00.0"))).isPresent();
        } finally {
            config.delete();
            reg.unregister();
            iommu.close();
        }
        assertThat(backend.responses()).hasSize(1);
    }

    @Test
    void registersTheShellCommandsInScopeFaultline() throws Exception {
        ServiceReference<?>[] refs = context.getServiceReferences((String) null,
                "(&(osgi.command.scope=faultline)(osgi.command.function=stats))");
        assertThat(refs).hasSize(1);
        assertThat((String[]) refs[0].getProperty("osgi.command.function"))
                .containsExactlyInAnyOrder("stats", "pending", "handlers", "release");

        assertThat((String) Services.shell(context, "faultline:stats")).startsWith("totals:\n")
                .contains("balanced               yes\n", "devices:\ndevice ");
        assertThat((String) Services.shell(context, "faultline:handlers --json")).startsWith("[");
        assertThat((String) Services.shell(context, "faultline:pending")).startsWith("pending:\ndevice ");
    }
}
