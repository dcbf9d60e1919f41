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
import dev.faultline.api.stats.FaultStatistics;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The examples bundle in the framework: its driver handler receives its device's faults through the core, and
 * the hot-swap walk-through of examples/README.md (stop, update, start) loses no page request group.
 */
class ExamplesOSGiTest {
    private static final DeviceId ENGINE = DeviceId.parse("0000:00:05.0");

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

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
        assertThat(fault()).as("while stopped: nobody serves the device").isEqualTo(ReportOutcome.NO_HANDLER);
        bundle.update();
        bundle.start();
        awaitHandler();
        assertThat(fault()).as("after").isEqualTo(ReportOutcome.DISPATCHED);

        assertThat(responses).as("one answer per group, none lost").hasSize(3)
                .containsOnly(ResponseCode.INVALID);
        assertThat(examples().getBundleId()).isEqualTo(id);
    }

    private void awaitHandler() {
        long deadline = System.nanoTime() + 20_000_000_000L;
        while (statistics.handlers().stream().noneMatch(h -> h.devices().contains(ENGINE.toString()))) {
            assertThat(System.nanoTime()).as("the driver handler registers within 20 s").isLessThan(deadline);
            Thread.onSpinWait();
        }
    }
}
