package dev.faultline.itests.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.AnswerLatency;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.api.stats.IommuStatus;
import dev.faultline.itests.Services;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.vtd.VtdIommu;
import java.lang.management.ManagementFactory;
import java.math.BigDecimal;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * Hardware-overflow losses and answer latency, from the simulated hardware through the real VT-d backend and the
 * core to the console's /metrics and MBeans: a remapping unit of its own (dmar3, segment 3, 8 fault recording
 * registers) whose fault thread a handler holds while a device faults more often than the registers can record;
 * a page request group a deferring handler answers after a known delay.
 */
class OverflowAndLatencyOSGiTest {
    private static final String UNIT = OwnVtdUnit.NAME;
    private static final PciRequesterId NIC = new PciRequesterId(3, 6, 1, 0);
    private static final PciRequesterId GPU = new PciRequesterId(3, 6, 0, 0);
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final long DELAY_MILLIS = 30;

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    FaultStatistics statistics;

    private Machine machine;
    private RemappingUnit unit;
    private ServiceRegistration<FaultHandler> registration;
    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeEach
    void deploy() throws Exception {
        unit = OwnVtdUnit.deploy(context, admin);
        machine = Services.service(context, Machine.class);
        Services.plug(context, NIC + "@" + UNIT + ":0x" + Integer.toHexString(NIC.rid()));
        Services.plug(context, GPU + "@" + UNIT + ":0x" + Integer.toHexString(GPU.rid()) + ":pri");
    }

    @AfterEach
    void cleanUp() {
        if (registration != null) {
            registration.unregister();
        }
    }

    private VtdIommu iommu() {
        return OwnVtdUnit.iommu(context);
    }

    /**
     * Attaches through the unit's backend. An earlier test's configuration change may still be restarting the backend
     * (its old service closes its IOMMU, then a new one connects and announces the machine's devices again): an
     * attach through the closing one is refused with an error, and is made again through its successor.
     */
    private void attach(PciRequesterId device, int pasid, Domain domain, long table) {
        Services.await(() -> {
            try {
                iommu().attach(device, pasid, domain, table);
                return true;
            } catch (IllegalStateException closing) {
                return false;
            }
        });
    }

    private void register(String domain, String name, FaultHandler handler) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DOMAIN, domain);
        props.put("component.name", name);
        registration = context.registerService(FaultHandler.class, handler, props);
        long id = (Long) registration.getReference().getProperty("service.id");
        Services.await(() -> statistics.handlers().stream().anyMatch(h -> h.serviceId() == id
                && h.state() == HandlerStatus.State.ACTIVE
                && h.standing().contains("domain " + domain + ": serves")));
    }

    private IommuStatus status() {
        return statistics.iommus().stream().filter(i -> i.name().equals(UNIT)).findFirst()
                .orElseThrow(() -> new AssertionError("the core does not list " + UNIT));
    }

    private List<String> metrics() throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context) + "metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body().lines().toList();
    }

    @Test
    void faultsTheRecordingRegistersCouldNotHoldAreAnOverflowInTheCoresStatisticsMetricsAndMBeans()
            throws Exception {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        attach(NIC, Pasid.NONE, Domain.dma("itest-overflow-nic"), table.root());
        CountDownLatch[] release = {new CountDownLatch(1)};
        CountDownLatch[] holding = {new CountDownLatch(1)};
        register("itest-overflow-nic", "itest-overflow-holder", group -> {
            holding[0].countDown();
            try {
                release[0].await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        DmaDevice nic = DmaDevice.of("nic", NIC.rid(), unit, machine.memory());
        Services.await(() -> statistics.iommus().stream().anyMatch(i -> i.name().equals(UNIT) && i.connected()));
        assertThat(status().overflows()).isZero();

        long droppedBefore = unit.counters().faultsOverflowed();
        // the handler holds the unit's fault thread while the device faults past the 8 recording registers: the
        // unit drops the rest (FSTS.PFO). Should a slow machine let the backend's successor thread drain the
        // registers in the meantime, the burst is repeated.
        for (int attempt = 0; attempt < 5 && unit.counters().faultsOverflowed() == droppedBefore; attempt++) {
            assertThat(nic.write(Pasid.NONE, 0x1000, new byte[] {1}, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
            assertThat(holding[0].await(WAIT.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
            for (int i = 1; i <= 24; i++) {
                nic.write(Pasid.NONE, 0x1000L + 0x1000L * i, new byte[] {1}, WAIT);
            }
            holding[0] = new CountDownLatch(1);
            CountDownLatch released = release[0];
            release[0] = new CountDownLatch(1);
            released.countDown();
        }
        release[0].countDown();
        assertThat(unit.counters().faultsOverflowed()).as("the hardware dropped faults").isGreaterThan(droppedBefore);

        Services.await(() -> status().faultRecordOverflows() >= 1);
        IommuStatus status = status();
        assertThat(status.pageRequestOverflows()).isZero();
        assertThat(status.connected()).isTrue();

        String label = "backend=\"" + UNIT + "\"";
        assertThat(metrics()).contains(
                "faultline_iommu_overflows_total{" + label + ",queue=\"fault_records\"} "
                        + status().faultRecordOverflows(),
                "faultline_iommu_overflows_total{" + label + ",queue=\"page_requests\"} 0",
                "faultline_iommu_connected{" + label + "} 1");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName bean = new ObjectName("dev.faultline:type=Iommu,name=" + ObjectName.quote(UNIT));
        Services.await(() -> server.isRegistered(bean));
        assertThat(server.getAttribute(bean, "FaultRecordOverflows")).isEqualTo(status().faultRecordOverflows());
        assertThat((Long) server.getAttribute(new ObjectName("dev.faultline:type=Core"), "HardwareOverflows"))
                .isGreaterThanOrEqualTo(status().faultRecordOverflows());
    }

    @Test
    void aGroupAnsweredAfterAKnownDelayIsTheHandlersAnswerLatencyInTheMetricsAndMBeans() throws Exception {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        attach(GPU, 4, Domain.sva("itest-latency-proc"), table.root());
        register("itest-latency-proc", "itest-latency-pager", group -> {
            DeferredGroup kept = group.defer();
            long page = group.address(0) & ~0xfffL;
            CompletableFuture.delayedExecutor(DELAY_MILLIS, TimeUnit.MILLISECONDS).execute(() -> {
                table.map(page, machine.frames().allocatePage(), 0x1000, PageProtection.READ_WRITE);
                kept.respond(ResponseCode.SUCCESS);
            });
        });
        PriCapability pri = new PriCapability(32, true);
        pri.enable();
        DmaDevice gpu = DmaDevice.withPri("gpu", GPU.rid(), unit, machine.memory(), pri);

        assertThat(gpu.read(4, 0x7000_0000L, 8, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);

        HandlerStatus handler = statistics.handlers().stream().filter(h -> h.name().equals("itest-latency-pager"))
                .findFirst().orElseThrow();
        AnswerLatency latency = handler.answerLatency();
        assertThat(latency.samples()).as("the device's first group is always timed").isEqualTo(1);
        assertThat(latency.maxNanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(DELAY_MILLIS));
        assertThat(latency.p50Nanos()).as("one sample: every percentile is it").isEqualTo(latency.maxNanos());
        assertThat(latency.p99Nanos()).isEqualTo(latency.maxNanos());
        assertThat(latency.sumNanos()).isEqualTo(latency.maxNanos());
        assertThat(statistics.answerLatency().maxNanos()).isGreaterThanOrEqualTo(latency.maxNanos());

        String labels = "handler=\"itest-latency-pager\",bundle=\"dev.faultline.itests-tests\",service_id=\""
                + handler.serviceId() + "\"";
        String seconds = BigDecimal.valueOf(latency.maxNanos(), 9).stripTrailingZeros().toPlainString();
        assertThat(metrics()).contains(
                "faultline_handler_answer_latency_seconds{" + labels + ",quantile=\"0.5\"} " + seconds,
                "faultline_handler_answer_latency_seconds{" + labels + ",quantile=\"0.99\"} " + seconds,
                "faultline_handler_answer_latency_seconds_sum{" + labels + "} " + seconds,
                "faultline_handler_answer_latency_seconds_count{" + labels + "} 1");
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName bean = new ObjectName("dev.faultline:type=Handler,name=" + ObjectName.quote("itest-latency-pager")
                + ",id=" + handler.serviceId());
        Services.await(() -> server.isRegistered(bean));
        assertThat(server.getAttribute(bean, "AnswerLatencyP99Nanos")).isEqualTo(latency.maxNanos());
        assertThat(server.getAttribute(bean, "AnswerLatencySamples")).isEqualTo(1L);

        // the live chart's data: the core's latency over all devices, in microseconds, at least this group's
        String data = http.send(HttpRequest.newBuilder(URI.create(HttpEndpoint.of(context)
                + "system/console/faultline/data.json")).header("Authorization", "Basic " + Base64
                .getEncoder().encodeToString("admin:admin".getBytes(StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
        Matcher chart = Pattern.compile(
                "\"latency\":\\{\"p50\":([0-9.]+),\"p99\":([0-9.]+),\"max\":([0-9.]+),\"samples\":(\\d+)}")
                .matcher(data);
        assertThat(chart.find()).as(data).isTrue();
        assertThat(Double.parseDouble(chart.group(3))).isGreaterThanOrEqualTo(latency.maxNanos() / 1000.0);
        assertThat(Double.parseDouble(chart.group(2))).isLessThanOrEqualTo(Double.parseDouble(chart.group(3)));
        assertThat(Long.parseLong(chart.group(4))).isPositive();
    }
}
