package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.FaultHandlerTarget;
import dev.faultline.core.log.OsgiLogSink;
import dev.faultline.drivers.remoteproc.Coredump;
import dev.faultline.drivers.remoteproc.CrashType;
import dev.faultline.drivers.remoteproc.HeartbeatFirmware;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocStatus;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.smmuv3.SmmuDomains;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One remote processor per factory configuration ({@code rproc_alloc} + {@code rproc_add} with
 * {@code has_iommu}): allocates its domain's stage-1 table, maps the carveouts, attaches the domain through
 * the SMMU backend and boots the firmware. It is the domain's {@link FaultHandler}, found by the core through
 * its {@code faultline.domain} service property, and the {@link RemoteProcessor} service. Crash handling,
 * recovery and the core's time slices share one thread of the processor's own.
 */
@Component(configurationPid = RemoteprocComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {FaultHandler.class, RemoteProcessor.class})
@FaultHandlerTarget(domain = RemoteprocConfig.DEFAULT_DOMAIN)
@Designate(ocd = RemoteprocConfig.class, factory = true)
public final class RemoteprocComponent implements FaultHandler, RemoteProcessor {
    /** The factory configuration PID. */
    public static final String PID = "dev.faultline.drivers.remoteproc";

    private final Rproc rproc;
    private final MmuFaultHandler handler;
    private final ScheduledExecutorService worker;
    private final SmmuDomains smmu;
    private final DeviceId device;

    /**
     * Sets the processor up and boots it if configured to.
     *
     * @throws IllegalArgumentException if the device is not on the machine behind this SMMU, or the firmware
     *     does not fit the carveouts
     */
    @Activate
    public RemoteprocComponent(RemoteprocConfig config, @Reference Machine machine,
            @Reference(name = "smmu") SmmuDomains smmu, @Reference(service = LoggerFactory.class) Logger logger) {
        this.device = DeviceId.parse(config.device());
        DeviceNode node = machine.devices().stream().filter(d -> d.id().equals(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + device + " on " + machine.name()));
        if (!node.iommu().equals(smmu.iommuName())) {
            throw new IllegalArgumentException(device + " is behind " + node.iommu() + ", not " + smmu.iommuName());
        }
        TranslationPort port = machine.iommu(node.iommu())
                .orElseThrow(() -> new IllegalArgumentException("no IOMMU " + node.iommu() + " installed"));
        this.smmu = smmu;
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "remoteproc-" + config.name());
            t.setDaemon(true);
            return t;
        });
        StageOneMapping mapping = new StageOneMapping(TranslationTable.stage1(machine.frames(), 48));
        Rproc.Builder b = Rproc.builder(config.name()).deviceName(config.device_name())
                .domain(config.faultline_domain()).memory(machine.frames()).mapping(mapping)
                .dma(DmaDevice.of(config.name(), node.requesterId(), port, machine.memory()),
                        Duration.ofMillis(config.dma_timeout_ms()))
                .firmware(config.firmware(), new FirmwareLibrary()).recoveryExecutor(worker)
                .crashLoopPolicy(config.crashloop_max_recoveries(), Duration.ofMillis(config.crashloop_window_ms()))
                .recoveryEnabled(config.recovery_enabled()).coredumpEnabled(config.coredump_enabled())
                .log(new OsgiLogSink(logger));
        HeartbeatFirmware.REGIONS.forEach(b::region);
        this.rproc = b.build();
        this.handler = new MmuFaultHandler(rproc);
        try {
            smmu.attachStage1(device, Pasid.NONE, Domain.unmanaged(config.faultline_domain()), mapping.table());
            if (config.boot()) {
                rproc.boot();
            }
        } catch (RuntimeException e) {
            worker.shutdownNow();
            throw e;
        }
        if (config.tick_period_ms() > 0) {
            int budget = config.tick_budget();
            worker.scheduleWithFixedDelay(() -> rproc.tick(budget), config.tick_period_ms(), config.tick_period_ms(),
                    TimeUnit.MILLISECONDS);
        }
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
        rproc.release();
        try {
            smmu.detach(device, Pasid.NONE);
        } catch (IllegalStateException stopped) {
            // the backend stopped first; its attachments went with it
        }
    }

    @Override
    public void handle(FaultGroup group) {
        handler.handle(group);
    }

    @Override
    public String name() {
        return rproc.name();
    }

    @Override
    public RprocStatus status() {
        return rproc.status();
    }

    @Override
    public Optional<Coredump> lastCoredump() {
        return rproc.lastCoredump();
    }

    @Override
    public long readWord(long da) {
        return rproc.readWord(da);
    }

    @Override
    public void writeWord(long da, long value) {
        rproc.writeWord(da, value);
    }

    @Override
    public void boot() {
        rproc.boot();
    }

    @Override
    public void shutdown() {
        rproc.shutdown();
    }

    @Override
    public boolean reportCrash(CrashType type) {
        return rproc.reportCrash(type);
    }

    @Override
    public void setRecoveryEnabled(boolean enabled) {
        rproc.setRecoveryEnabled(enabled);
    }

    @Override
    public boolean recover() {
        return rproc.recover();
    }
}
