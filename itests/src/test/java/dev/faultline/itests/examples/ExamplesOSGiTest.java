package dev.faultline.itests.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.itests.Services;
import java.util.Arrays;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The examples bundle in the framework: its driver handler receives its device's faults through the core, and
 * the hot-swap walk-through of examples/README.md (stop, update, start) and a DS reactivation lose no page
 * request group and answer none "no handler"; another bundle cannot take the device over.
 */
class ExamplesOSGiTest {
    private static final DeviceId ENGINE = DeviceId.parse("0000:00:05.0");

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

    @InjectService
    ConfigurationAdmin configurationAdmin;

    private final List<ResponseCode> responses = new CopyOnWriteArrayList<>();
    private IommuPort port;
    private DevicePort device;
    private int groupId;

    @BeforeEach
    void connect() {
        port = pipeline.connect(new IommuBackend() {
            @Override
            public String name() {
                return "examples-test";
            }

            @Override
            public void sendPageResponse(DeviceId id, PageResponse response) {
                responses.add(response.code());
            }
        });
        device = port.addDevice(ENGINE);
    }

    @AfterEach
    void disconnect() {
        port.close();
    }

    private ReportOutcome fault() {
        return device.report(PageRequest.last(ENGINE, groupId++ & 0x1ff, 0x4000_0000L, Permissions.WRITE));
    }

    private Bundle examples() {
        return Arrays.stream(context.getBundles()).filter(b -> b.getSymbolicName().equals("dev.faultline.examples"))
                .findFirst().orElseThrow();
    }

    @Test
    void theDriverHandlerAnswersItsDevicesPageRequestsInvalid() {
        awaitHandler();

        assertThat(fault()).isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(responses).containsExactly(ResponseCode.INVALID);
        assertThat(statistics.handlers()).anySatisfy(h -> {
            assertThat(h.bundle()).isEqualTo("dev.faultline.examples");
            assertThat(h.devices()).contains(ENGINE.toString());
            assertThat(h.counts().answeredInvalid()).isPositive();
        });
    }

    @Test
    void hotSwapWalkThroughAnswersEveryGroupBeforeDuringAndAfter() throws Exception {
        awaitHandler();
        Bundle bundle = examples();
        long id = bundle.getBundleId();

        assertThat(fault()).as("before").isEqualTo(ReportOutcome.DISPATCHED);
        bundle.stop();
        assertThat(fault()).as("while stopped: it waits for the next version").isEqualTo(ReportOutcome.DISPATCHED);
        bundle.update();
        bundle.start();
        awaitHandler();
        assertThat(fault()).as("after").isEqualTo(ReportOutcome.DISPATCHED);

        Services.await(() -> responses.size() == 3);
        assertThat(responses).as("one answer per group, none lost, the one of the gap by the new version")
                .containsOnly(ResponseCode.INVALID);
        assertThat(examples().getBundleId()).isEqualTo(id);
    }

    @Test
    void aBundleUpdatedUnderContinuousFaultsLosesNoGroupToNoHandler() throws Exception {
        awaitHandler();
        long noHandlerBefore = noHandler();
        long timedOutBefore = timedOut();
        FaultStream faults = new FaultStream();
        for (int round = 0; round < 3; round++) {
            Bundle bundle = examples();
            bundle.stop();
            bundle.update();
            bundle.start();
            awaitHandler();
        }
        int reported = faults.stop();

        Services.await(() -> responses.size() == reported);
        assertThat(reported).isPositive();
        assertThat(responses).containsOnly(ResponseCode.INVALID).hasSize(reported);
        assertThat(noHandler() - noHandlerBefore).as("groups answered 'no handler' across the updates").isZero();
        assertThat(timedOut() - timedOutBefore).as("groups that waited in vain for the next version").isZero();
    }

    @Test
    void aDsReactivationUnderContinuousFaultsLosesNoGroupToNoHandler() throws Exception {
        awaitHandler();
        long noHandlerBefore = noHandler();
        long timedOutBefore = timedOut();
        FaultStream faults = new FaultStream();
        // a configuration change of a component without @Modified: DS deactivates and activates it again
        Configuration config = configurationAdmin.getConfiguration("dev.faultline.examples.driver.DmaEngineFaults", "?");
        try {
            for (int round = 0; round < 3; round++) {
                config.update(new Hashtable<>(Map.of("reactivation", round)));
                String filter = "(reactivation=" + round + ")";
                Services.await(() -> statistics.handlers().stream().anyMatch(h -> h.devices().contains(
                        ENGINE.toString()) && h.state() == HandlerStatus.State.ACTIVE) && registered(filter));
            }
        } finally {
            config.delete();
            Services.await(() -> !registered("(reactivation=*)") && statistics.handlers().stream().anyMatch(h ->
                    h.devices().contains(ENGINE.toString()) && h.state() == HandlerStatus.State.ACTIVE));
        }
        int reported = faults.stop();

        Services.await(() -> responses.size() == reported);
        assertThat(responses).containsOnly(ResponseCode.INVALID).hasSize(reported);
        assertThat(noHandler() - noHandlerBefore).as("groups answered 'no handler' across the reactivations")
                .isZero();
        assertThat(timedOut() - timedOutBefore).as("groups that waited in vain for the next activation").isZero();
    }

    @Test
    void aHigherRankedRegistrationOfAnotherBundleForTheDriversDeviceIsRefusedAndShown() throws Exception {
        awaitHandler();
        List<Integer> stolen = new CopyOnWriteArrayList<>();
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DEVICE, ENGINE.toString());
        props.put("service.ranking", 1000);
        props.put("component.name", "engine-thief");
        ServiceRegistration<FaultHandler> thief = context.registerService(FaultHandler.class, g -> {
            stolen.add(g.groupId());
            g.respond(ResponseCode.SUCCESS);
        }, props);
        try {
            assertThat(fault()).isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(stolen).isEmpty();
            assertThat(responses).containsExactly(ResponseCode.INVALID);
            assertThat(statistics.handlers()).filteredOn(h -> h.name().equals("engine-thief")).singleElement()
                    .satisfies(h -> {
                        assertThat(h.state()).isEqualTo(HandlerStatus.State.REFUSED);
                        assertThat(h.reason()).startsWith("device 0000:00:05.0 is owned by bundle"
                                + " dev.faultline.examples (it registered for it first");
                    });
            assertThat(String.valueOf(Services.shell(context, "faultline:handlers --json"))).contains("engine-thief")
                    .contains("REFUSED").contains("is owned by bundle dev.faultline.examples");
        } finally {
            thief.unregister();
        }
    }

    /** The engine faulting continuously on a thread of its own until stopped. */
    private final class FaultStream {
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger reported = new AtomicInteger();
        private final Thread thread = new Thread(this::run, "examples-itest-faults");

        FaultStream() {
            thread.start();
        }

        private void run() {
            while (running.get()) {
                fault();
                reported.incrementAndGet();
                LockSupport.parkNanos(200_000);
            }
        }

        /** Stops the faults; returns how many were reported. */
        int stop() throws InterruptedException {
            running.set(false);
            thread.join(20_000);
            return reported.get();
        }
    }

    private boolean registered(String filter) {
        try {
            return context.getServiceReferences(FaultHandler.class.getName(), filter) != null;
        } catch (InvalidSyntaxException e) {
            throw new IllegalArgumentException(filter, e);
        }
    }

    private long timedOut() {
        return statistics.devices().stream().filter(d -> d.device().equals(ENGINE.toString()))
                .mapToLong(d -> d.counts().timedOut()).sum();
    }

    private long noHandler() {
        return statistics.devices().stream().filter(d -> d.device().equals(ENGINE.toString()))
                .mapToLong(d -> d.counts().noHandler()).sum();
    }

    private void awaitHandler() {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (statistics.handlers().stream().noneMatch(h -> h.devices().contains(ENGINE.toString()))) {
            assertThat(System.nanoTime()).as("the driver handler registers within 20 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
