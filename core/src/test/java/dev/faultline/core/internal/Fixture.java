package dev.faultline.core.internal;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.internal.configure.HandlerPolicy;
import dev.faultline.core.internal.configure.Settings;
import dev.faultline.testkit.backend.RecordingBackend;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/** A pipeline without threads of its own, one IOMMU, a manual ticker and a captured log. */
final class Fixture implements AutoCloseable {
    static final DeviceId DEV = DeviceId.parse("0000:00:03.0");
    static final DeviceId DEV2 = DeviceId.parse("0000:00:04.0");
    static final int LAST = PageRequest.FLAG_LAST_PAGE;
    /** The bundle of the handlers {@link #register} registers. */
    static final String BUNDLE = "test.bundle";

    final ManualTicker ticker = new ManualTicker();
    final CapturingLog log = new CapturingLog();
    final RecordingBackend backend = new RecordingBackend("iommu0");
    final Core pipeline;
    final IommuPort iommu;
    private final AtomicLong serviceIds = new AtomicLong(100);

    Fixture() {
        this(Settings.DEFAULTS);
    }

    Fixture(Settings settings) {
        this(settings, HandlerPolicy.DEFAULTS);
    }

    /** A pipeline with {@code policy}; its test bundle may also register guests' vIOMMUs. */
    Fixture(Settings settings, HandlerPolicy policy) {
        pipeline = new Core(settings, policy.withGuestHandlers(BUNDLE, HandlerPolicy.VIOMMU_BUNDLE), ticker, log,
                false);
        iommu = pipeline.connect(backend);
    }

    DevicePort device(DeviceId id) {
        return iommu.device(id).orElseGet(() -> iommu.addDevice(id));
    }

    /** Registers {@code handler} with alternating key/value properties; returns its service id. */
    long register(FaultHandler handler, Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("service.id", serviceIds.incrementAndGet());
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return pipeline.addHandler(handler, props, BUNDLE);
    }

    /** Registers {@code handler} as bundle {@code bundle} would; returns its service id. */
    long registerAs(String bundle, FaultHandler handler, Object... keyValues) {
        Map<String, Object> props = new HashMap<>();
        props.put("service.id", serviceIds.incrementAndGet());
        for (int i = 0; i < keyValues.length; i += 2) {
            props.put((String) keyValues[i], keyValues[i + 1]);
        }
        return pipeline.addHandler(handler, props, bundle);
    }

    long registerForDevice(FaultHandler handler, DeviceId device) {
        return register(handler, HandlerProperties.DEVICE, device.toString());
    }

    /** A single-request group (last page) without PASID. */
    static ReportOutcome last(DevicePort d, int group, long address) {
        return d.reportPageRequest(Pasid.NONE, group, LAST, Permissions.READ, address, 0, 0);
    }

    static ReportOutcome partial(DevicePort d, int group, long address) {
        return d.reportPageRequest(Pasid.NONE, group, 0, Permissions.READ, address, 0, 0);
    }

    @Override
    public void close() {
        pipeline.close();
    }
}
