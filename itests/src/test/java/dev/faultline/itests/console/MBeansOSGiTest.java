package dev.faultline.itests.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.itests.Services;
import dev.faultline.platform.machine.Machine;
import dev.faultline.viommu.VirtualIommus;
import java.lang.management.ManagementFactory;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/** The dev.faultline MBeans in the platform MBean server (what JConsole or jcmd see), after a known scenario. */
class MBeansOSGiTest {
    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    VirtualIommus viommus;

    @InjectService
    Machine machine;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();

    @Test
    void deviceHandlerGuestAndCoreMBeansShowTheScenarioAndFollowItsEnd() throws Exception {
        ObjectName device;
        ObjectName handler;
        ObjectName guest;
        try (KnownScenario s = new KnownScenario(context, pipeline, viommus, machine, "jmx", 3)) {
            device = new ObjectName("dev.faultline:type=Device,name=" + ObjectName.quote(s.device));
            handler = new ObjectName("dev.faultline:type=Handler,name=" + ObjectName.quote(s.handler) + ",id="
                    + s.handlerServiceId);
            guest = new ObjectName("dev.faultline:type=Guest,name=" + ObjectName.quote(s.guest));
            ObjectName[] all = {device, handler, guest};
            Services.await(() -> {
                for (ObjectName name : all) {
                    if (!server.isRegistered(name)) {
                        return false;
                    }
                }
                return true;
            });

            assertThat(server.getAttribute(device, "Reported")).isEqualTo(4L);
            assertThat(server.getAttribute(device, "Parked")).isEqualTo(1L);
            assertThat(server.getAttribute(device, "Groups")).isEqualTo(3L);
            assertThat(server.getAttribute(device, "AnsweredSuccess")).isEqualTo(2L);
            assertThat(server.getAttribute(device, "AnsweredInvalid")).isEqualTo(1L);
            assertThat(server.getAttribute(device, "Backend")).isEqualTo(s.backend);
            assertThat(server.getAttribute(device, "Present")).isEqualTo(true);
            assertThat(server.getAttribute(device, "Balanced")).isEqualTo(true);

            assertThat(server.getAttribute(handler, "State")).isEqualTo("ACTIVE");
            assertThat(server.getAttribute(handler, "Dispatch")).isEqualTo("inline");
            assertThat(server.getAttribute(handler, "Dispatched")).isEqualTo(3L);
            assertThat(server.getAttribute(handler, "AnsweredInvalid")).isEqualTo(1L);
            assertThat((String[]) server.getAttribute(handler, "Devices")).containsExactly(s.device);

            assertThat(server.getAttribute(guest, "Routed")).isEqualTo(1L);
            assertThat(server.getAttribute(guest, "Delivered")).isEqualTo(1L);
            assertThat(server.getAttribute(guest, "Lost")).isEqualTo(0L);
            assertThat(server.getAttribute(guest, "Queued")).isEqualTo(1);
            assertThat(server.getAttribute(guest, "PendingGroups")).isEqualTo(1);
            assertThat(server.getAttribute(guest, "QueueDepth")).isEqualTo(KnownScenario.GUEST_LIMITS.eventQueueDepth());

            ObjectName core = new ObjectName("dev.faultline:type=Core");
            assertThat((Long) server.getAttribute(core, "Reported")).isGreaterThanOrEqualTo(5L);
            assertThat((Integer) server.getAttribute(core, "DeviceCount")).isGreaterThanOrEqualTo(2);
        }
        // the guest closed and the handler went away: their MBeans follow
        Services.await(() -> !server.isRegistered(guest) && !server.isRegistered(handler));
        // a removed device keeps its counters (the core lists it among the recently removed)
        assertThat(server.getAttribute(device, "Present")).isEqualTo(false);
        assertThat(server.getAttribute(device, "AnsweredSuccess")).isEqualTo(2L);
    }
}
