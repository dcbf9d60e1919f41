package dev.faultline.itests.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.itests.Services;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Hashtable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * Releasing a quarantined handler from the outside: the handler MBean's {@code release} operation and the Web
 * Console's Release button (a POST with the page's token; GETs release nothing).
 */
class HandlerReleaseOSGiTest {
    private static final String NAME = "release-probe";
    private static final DeviceId DEVICE = DeviceId.parse("0000:0e:03.0");
    private static final String AUTH = "Basic " + Base64.getEncoder().encodeToString(
            "admin:admin".getBytes(StandardCharsets.UTF_8));

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

    private final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
    private final HttpClient http = HttpClient.newHttpClient();
    private IommuPort iommu;
    private DevicePort device;
    private ServiceRegistration<FaultHandler> registration;
    private long serviceId;
    private int nextGroup;

    @BeforeEach
    void throwingHandler() {
        iommu = pipeline.connect(new IommuBackend() {
            @Override
            public String name() {
                return "release-test";
            }

            @Override
            public void sendPageResponse(DeviceId to, PageResponse response) {
                // the answers are read from the core's counters
            }
        });
        device = iommu.addDevice(DEVICE);
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DEVICE, DEVICE.toString());
        props.put("component.name", NAME);
        registration = context.registerService(FaultHandler.class, group -> {
            throw new IllegalStateException("a handler bug");
        }, props);
        serviceId = (Long) registration.getReference().getProperty("service.id");
        Services.await(() -> state() == HandlerStatus.State.ACTIVE);
    }

    @AfterEach
    void close() {
        registration.unregister();
        iommu.close();
    }

    private HandlerStatus.State state() {
        return statistics.handlers().stream().filter(h -> h.serviceId() == serviceId).map(HandlerStatus::state)
                .findFirst().orElse(null);
    }

    /** Faults until the throwing handler is quarantined (quarantine.after throws in a row). */
    private void quarantine() {
        while (state() != HandlerStatus.State.QUARANTINED) {
            device.reportPageRequest(Pasid.NONE, nextGroup++ & 0x1ff, PageRequest.FLAG_LAST_PAGE, Permissions.READ,
                    0x1000L * nextGroup, 0, 0);
            assertThat(nextGroup).as("quarantined within quarantine.after throws").isLessThan(100);
        }
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context) + "system/console/faultline"
                + path)).header("Authorization", AUTH).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context)
                + "system/console/faultline/action")).header("Authorization", AUTH)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void theHandlerMBeanReleasesAQuarantinedHandlerAndSaysWhenThereIsNothingToRelease() throws Exception {
        ObjectName bean = new ObjectName("dev.faultline:type=Handler,name=" + ObjectName.quote(NAME) + ",id="
                + serviceId);
        Services.await(() -> server.isRegistered(bean));
        quarantine();
        Services.await(() -> "QUARANTINED".equals(attribute(bean, "State")));

        assertThat(server.invoke(bean, "release", new Object[0], new String[0])).isEqualTo("ACTIVE");

        assertThat(state()).isEqualTo(HandlerStatus.State.ACTIVE);
        assertThat(server.invoke(bean, "release", new Object[0], new String[0])).isEqualTo("not quarantined: ACTIVE");
    }

    @Test
    void theHandlersPageOffersReleaseForAQuarantinedHandlerAndOnlyThePostWithTheTokenReleasesIt() throws Exception {
        quarantine();
        String page = get("/handlers").body();
        assertThat(page).contains("id='fl-release-" + serviceId + "'");
        assertThat(state()).as("a GET changes nothing").isEqualTo(HandlerStatus.State.QUARANTINED);
        assertThat(post("action=release&target=" + serviceId + "&token=forged").statusCode()).isEqualTo(403);
        assertThat(state()).isEqualTo(HandlerStatus.State.QUARANTINED);
        Matcher token = Pattern.compile("name='token' value='([0-9a-f]{32})'").matcher(page);
        assertThat(token.find()).isTrue();

        HttpResponse<String> release = post("action=release&target=" + serviceId + "&token=" + token.group(1));

        assertThat(release.statusCode()).isEqualTo(302);
        assertThat(release.headers().firstValue("Location").orElseThrow()).contains("/handlers?done=released+"
                + NAME);
        assertThat(state()).isEqualTo(HandlerStatus.State.ACTIVE);
        assertThat(get("/handlers").body()).doesNotContain("id='fl-release-" + serviceId + "'");
    }

    private Object attribute(ObjectName bean, String name) {
        try {
            return server.getAttribute(bean, name);
        } catch (Exception e) {
            return null;
        }
    }
}
