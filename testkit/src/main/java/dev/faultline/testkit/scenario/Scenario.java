package dev.faultline.testkit.scenario;

import dev.faultline.api.backend.DevicePort;
import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.ReportOutcome;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Fault;
import dev.faultline.api.fault.HardwareRecord;
import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.UnrecoverableFault;
import dev.faultline.api.stats.DeviceStatus;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.testkit.backend.RecordingBackend;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * Faults reported to a real core, as a backend reports them: one IOMMU (a {@link RecordingBackend}) with the
 * devices and attachments the builder names, then page requests and unrecoverable faults through their
 * {@link DevicePort}s, the core's outcome of each, the page responses it sent, and its counters.
 *
 * <p>The core is the caller's: on a plain class path, {@code StandaloneCore} of {@code dev.faultline.core}
 * ({@code core.pipeline()}, {@code core.statistics()}), in a framework the {@code FaultPipeline} and
 * {@code FaultStatistics} services. Handlers are registered on it as usual.
 *
 * <pre>{@code
 * try (StandaloneCore core = StandaloneCore.builder().start();
 *         Scenario scenario = Scenario.on(core.pipeline(), core.statistics())
 *                 .device("0000:00:05.0").attach("0000:00:05.0", Pasid.NONE, Domain.dma("dma0")).start()) {
 *     core.register(new MyHandler(), Map.of(HandlerProperties.DOMAIN, "dma0"));
 *     scenario.pageRequest("0000:00:05.0", Pasid.NONE, 3, 0x1000, Permissions.READ);
 *     assertThat(scenario.backend().single().code()).isEqualTo(ResponseCode.SUCCESS);
 *     assertThat(scenario.counts("0000:00:05.0").balanced()).isTrue();
 * }
 * }</pre>
 *
 * <p>In a framework, the core takes a handler service in on its own thread: before the first fault, wait for it
 * with {@link #awaitServed(String, Duration)}. Closing the scenario disconnects its IOMMU, and the core answers
 * every group still pending {@code INVALID}.
 */
public final class Scenario implements AutoCloseable {
    private final IommuPort port;
    private final RecordingBackend backend;
    private final @Nullable FaultStatistics statistics;
    private final Map<DeviceId, DevicePort> devices;

    private Scenario(IommuPort port, RecordingBackend backend, @Nullable FaultStatistics statistics,
            Map<DeviceId, DevicePort> devices) {
        this.port = port;
        this.backend = backend;
        this.statistics = statistics;
        this.devices = devices;
    }

    /**
     * A scenario builder for the core behind {@code pipeline}; {@code statistics} (the same core's) is what
     * {@link #counts}, {@link #totals} and {@link #awaitServed} read.
     */
    public static Builder on(FaultPipeline pipeline, FaultStatistics statistics) {
        return new Builder(pipeline, statistics);
    }

    /** A scenario builder for a core whose counters the test does not read. */
    public static Builder on(FaultPipeline pipeline) {
        return new Builder(pipeline, null);
    }

    /** The IOMMU's backend: the page responses the core sent. */
    public RecordingBackend backend() {
        return backend;
    }

    /** The IOMMU's port on the core. */
    public IommuPort iommu() {
        return port;
    }

    /**
     * The port of a device the builder added.
     *
     * @throws NoSuchElementException if the scenario has no such device
     */
    public DevicePort device(String device) {
        DevicePort found = devices.get(DeviceId.parse(device));
        if (found == null) {
            throw new NoSuchElementException("no device " + device + " in this scenario; it has " + devices.keySet());
        }
        return found;
    }

    /**
     * Reports a group of one page request (its last), without private data.
     *
     * @param pasid the PASID, or {@link Pasid#NONE}
     * @param groupId the group index (PRGI, STAG)
     * @return what the core did with it
     */
    public ReportOutcome pageRequest(String device, int pasid, int groupId, long address, Permissions access) {
        return device(device).reportPageRequest(pasid, groupId, PageRequest.FLAG_LAST_PAGE, access, address, 0, 0);
    }

    /**
     * Reports a page request that is not its group's last: the core parks it until the last one comes.
     *
     * @return what the core did with it ({@link ReportOutcome#PARKED} unless a bound or a check refused it)
     */
    public ReportOutcome partialRequest(String device, int pasid, int groupId, long address, Permissions access) {
        return device(device).reportPageRequest(pasid, groupId, 0, access, address, 0, 0);
    }

    /**
     * Reports an unrecoverable fault at a valid address.
     *
     * @param pasid the PASID, or {@link Pasid#NONE}
     * @return what the core did with it
     */
    public ReportOutcome unrecoverable(String device, int pasid, long address, Permissions access) {
        int flags = UnrecoverableFault.ADDR_VALID | (pasid == Pasid.NONE ? 0 : UnrecoverableFault.PASID_VALID);
        return device(device).reportUnrecoverable(flags, pasid, access, address, 0, HardwareRecord.NONE);
    }

    /**
     * Reports a fault value (any flags, private data or hardware record) through its device's port.
     *
     * @throws NoSuchElementException if the scenario has no such device
     */
    public ReportOutcome report(Fault fault) {
        return device(fault.device().toString()).report(fault);
    }

    /**
     * The counters the core keeps for {@code device}.
     *
     * @throws IllegalStateException if the scenario was built without the core's statistics
     * @throws NoSuchElementException if the core does not list the device
     */
    public FaultCounts counts(String device) {
        String id = DeviceId.parse(device).toString();
        return statistics().devices().stream().filter(d -> d.device().equals(id)).map(DeviceStatus::counts)
                .findFirst().orElseThrow(() -> new NoSuchElementException("the core lists no device " + id));
    }

    /**
     * The core's totals over every device.
     *
     * @throws IllegalStateException if the scenario was built without the core's statistics
     */
    public FaultCounts totals() {
        return statistics().totals();
    }

    /**
     * Waits until an active handler serves {@code target} (its {@link HandlerStatus#standing()} says
     * {@code "<target>: serves"}), so that the first fault goes to it and not to nobody.
     *
     * @param target {@code "device <id>"} or {@code "domain <name>"}, as {@code faultline:handlers} shows them
     * @return the handler's status
     * @throws AssertionError if none did within {@code timeout}
     * @throws IllegalStateException if the scenario was built without the core's statistics
     */
    public HandlerStatus awaitServed(String target, Duration timeout) throws InterruptedException {
        String serves = target + ": serves";
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            List<HandlerStatus> handlers = statistics().handlers();
            for (HandlerStatus h : handlers) {
                if (h.state() == HandlerStatus.State.ACTIVE && h.standing().contains(serves)) {
                    return h;
                }
            }
            if (System.nanoTime() - deadline >= 0) {
                throw new AssertionError("no active handler serves " + target + " within " + timeout + "; handlers: "
                        + handlers);
            }
            TimeUnit.MILLISECONDS.sleep(5);
        }
    }

    private FaultStatistics statistics() {
        if (statistics == null) {
            throw new IllegalStateException("this scenario was built without the core's FaultStatistics");
        }
        return statistics;
    }

    /** Disconnects the IOMMU: the core answers its pending groups {@code INVALID} and removes its devices. */
    @Override
    public void close() {
        port.close();
    }

    /** The IOMMU, its devices and their attachments; {@link #start()} connects them to the core. */
    public static final class Builder {
        private final FaultPipeline pipeline;
        private final @Nullable FaultStatistics statistics;
        private String iommu = "testkit0";
        private final List<DeviceId> devices = new ArrayList<>();
        private final List<Attachment> attachments = new ArrayList<>();

        private record Attachment(DeviceId device, int pasid, Domain domain) {
        }

        private Builder(FaultPipeline pipeline, @Nullable FaultStatistics statistics) {
            this.pipeline = pipeline;
            this.statistics = statistics;
        }

        /** The IOMMU's name, unique among the core's connected IOMMUs (default {@code testkit0}). */
        public Builder iommu(String name) {
            this.iommu = name;
            return this;
        }

        /**
         * Adds a device, by its id text ({@code 0000:00:05.0}, {@code sid:0x42}, a platform device name).
         *
         * @throws IllegalArgumentException if the text is no device id, or the device was named already
         */
        public Builder device(String device) {
            DeviceId id = DeviceId.parse(device);
            if (devices.contains(id)) {
                throw new IllegalArgumentException("device " + id + " named twice");
            }
            devices.add(id);
            return this;
        }

        /**
         * Attaches {@code domain} at {@code pasid} of a device (added if not yet named).
         *
         * @param pasid the PASID, or {@link Pasid#NONE} for the device's PASID-less transactions
         */
        public Builder attach(String device, int pasid, Domain domain) {
            DeviceId id = DeviceId.parse(device);
            if (!devices.contains(id)) {
                devices.add(id);
            }
            attachments.add(new Attachment(id, pasid, domain));
            return this;
        }

        /**
         * Connects the IOMMU, adds the devices and attaches the domains.
         *
         * @throws IllegalStateException if the core has an IOMMU of that name connected, or a device present
         */
        public Scenario start() {
            RecordingBackend backend = new RecordingBackend(iommu);
            IommuPort port = pipeline.connect(backend);
            Map<DeviceId, DevicePort> ports = new LinkedHashMap<>();
            try {
                for (DeviceId id : devices) {
                    ports.put(id, port.addDevice(id));
                }
                for (Attachment a : attachments) {
                    ports.get(a.device()).attach(a.pasid(), a.domain());
                }
            } catch (RuntimeException e) {
                port.close();
                throw e;
            }
            return new Scenario(port, backend, statistics, Map.copyOf(ports));
        }
    }
}
