package dev.faultline.itests.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.Hashtable;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The attack, in a real framework: a handler service registered for one device ({@code faultline.device}) tries
 * to receive the faults of another device on the same IOMMU. Each registration only ever gets the faults of the
 * devices in its service properties, also after the properties change.
 */
class HandlerSeesOnlyItsOwnDevicesFaultsOSGiTest {
    /** What the tests compare of a page response: the device, the group and the answer. */
    private static final Function<RecordingBackend.Response, Tuple> SENT =
            r -> tuple(r.device(), r.groupId(), r.code());

    private static final DeviceId NIC = DeviceId.parse("0000:02:00.0");
    private static final DeviceId NVME = DeviceId.parse("0000:03:00.0");

    @InjectBundleContext
    BundleContext context;

    @InjectService
    FaultPipeline pipeline;

    @InjectService
    FaultStatistics statistics;

    private final RecordingBackend backend = new RecordingBackend("itest-own-devices");
    private IommuPort iommu;
    private DevicePort nic;
    private DevicePort nvme;

    /** Answers SUCCESS and records the device of every group it is handed. */
    private static final class DeviceRecording implements FaultHandler {
        final List<DeviceId> devices = new CopyOnWriteArrayList<>();

        @Override
        public void handle(FaultGroup group) {
            devices.add(group.device());
            group.respond(ResponseCode.SUCCESS);
        }
    }

    @BeforeEach
    void connect() {
        iommu = pipeline.connect(backend);
        nic = iommu.addDevice(NIC);
        nvme = iommu.addDevice(NVME);
    }

    @AfterEach
    void disconnect() {
        iommu.close();
    }

    private ServiceRegistration<FaultHandler> registerFor(FaultHandler handler, DeviceId device) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(HandlerProperties.DEVICE, device.toString());
        return context.registerService(FaultHandler.class, handler, props);
    }

    private static ReportOutcome reportLast(DevicePort d, int group) {
        return d.reportPageRequest(Pasid.NONE, group, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x8000, 0, 0);
    }

    @Test
    void twoHandlerServicesEachReceiveOnlyTheFaultsOfTheDeviceTheyRegisteredFor() {
        DeviceRecording nicHandler = new DeviceRecording();
        DeviceRecording nvmeHandler = new DeviceRecording();
        ServiceRegistration<FaultHandler> a = registerFor(nicHandler, NIC);
        ServiceRegistration<FaultHandler> b = registerFor(nvmeHandler, NVME);
        try {
            for (int group = 0; group < 12; group++) {
                assertThat(reportLast(group % 3 == 0 ? nvme : nic, group)).isEqualTo(ReportOutcome.DISPATCHED);
            }

            assertThat(nicHandler.devices).hasSize(8).containsOnly(NIC);
            assertThat(nvmeHandler.devices).hasSize(4).containsOnly(NVME);
            assertThat(backend.responses()).hasSize(12).extracting(RecordingBackend.Response::code)
                    .containsOnly(ResponseCode.SUCCESS);
        } finally {
            a.unregister();
            b.unregister();
        }
    }

    @Test
    void aRegistrationWhosePropertiesMoveToAnotherDeviceNoLongerReceivesTheFirst() {
        DeviceRecording moving = new DeviceRecording();
        ServiceRegistration<FaultHandler> reg = registerFor(moving, NIC);
        try {
            reportLast(nic, 1);
            Hashtable<String, Object> moved = new Hashtable<>();
            moved.put(HandlerProperties.DEVICE, NVME.toString());
            reg.setProperties(moved);

            assertThat(reportLast(nic, 2)).isEqualTo(ReportOutcome.NO_HANDLER);
            assertThat(reportLast(nvme, 3)).isEqualTo(ReportOutcome.DISPATCHED);

            assertThat(moving.devices).containsExactly(NIC, NVME);
            assertThat(backend.responses()).extracting(SENT).containsExactly(tuple(NIC, 1, ResponseCode.SUCCESS),
                    tuple(NIC, 2, ResponseCode.INVALID),
                    tuple(NVME, 3, ResponseCode.SUCCESS));
        } finally {
            reg.unregister();
        }
    }
}
