package dev.faultline.drivers.msm.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.core.log.OsgiLogSink;
import dev.faultline.drivers.msm.AdrenoGpu;
import dev.faultline.drivers.msm.AdrenoSmmu;
import dev.faultline.drivers.msm.GpuCommand;
import dev.faultline.drivers.msm.GpuSnapshot;
import dev.faultline.drivers.msm.GpuStatus;
import dev.faultline.drivers.msm.JobState;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.smmuv3.SmmuDomains;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;

/**
 * One Adreno GPU per factory configuration ({@code msm_iommu_gpu_new} + {@code msm_gpu_init}): the GPU's
 * {@link FaultHandler}, found by the core through its {@code faultline.device} service property (the GPU's
 * contexts come and go, so it serves the device rather than each context's domain), and the
 * {@link AdrenoGpu} service. Stall-on-fault is switched through the SMMUv3 backend ({@link SmmuV3StallSwitch})
 * when it can switch the GPU's stall, else through an {@link AdrenoSmmu} service registered for the GPU. Ring
 * processing and hang recovery share one thread of the GPU's own; the handler runs on the SMMU backend's fault
 * thread.
 */
@Component(configurationPid = MsmComponent.PID, configurationPolicy = ConfigurationPolicy.REQUIRE,
        service = {FaultHandler.class, AdrenoGpu.class})
@Designate(ocd = MsmConfig.class, factory = true)
public final class MsmComponent implements FaultHandler, AdrenoGpu {
    /** The factory configuration PID. */
    public static final String PID = "dev.faultline.drivers.msm";

    private final DeviceId device;
    private final List<AdrenoSmmu> adrenoSmmus = new CopyOnWriteArrayList<>();
    private final SmmuV3StallSwitch smmuStall;
    private final Gpu gpu;
    private final GpuFaultHandler handler;
    private final ScheduledExecutorService worker;

    /**
     * Sets the GPU up.
     *
     * @throws IllegalArgumentException if the device is not on the machine behind this SMMU, or the contexts
     *     setting is neither {@code pasid} nor {@code ttbr}
     */
    @Activate
    public MsmComponent(MsmConfig config, @Reference Machine machine, @Reference(name = "smmu") SmmuDomains smmu,
            @Reference(service = LoggerFactory.class) Logger logger) {
        this.device = DeviceId.parse(config.faultline_device());
        DeviceNode node = machine.devices().stream().filter(d -> d.id().equals(device)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no device " + device + " on " + machine.name()));
        if (!node.iommu().equals(smmu.iommuName())) {
            throw new IllegalArgumentException(device + " is behind " + node.iommu() + ", not " + smmu.iommuName());
        }
        if (!config.contexts().equals("pasid") && !config.contexts().equals("ttbr")) {
            throw new IllegalArgumentException("contexts must be pasid or ttbr, not '" + config.contexts() + "'");
        }
        this.smmuStall = new SmmuV3StallSwitch(smmu, device);
        TranslationPort port = machine.iommu(node.iommu())
                .orElseThrow(() -> new IllegalArgumentException("no IOMMU " + node.iommu() + " installed"));
        this.worker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "msm-" + config.name());
            t.setDaemon(true);
            return t;
        });
        this.gpu = Gpu.builder(config.name()).device(device.toString())
                .dma(DmaDevice.of(config.name(), node.requesterId(), port, machine.memory()),
                        Duration.ofMillis(config.dma_timeout_ms()))
                .memory(machine.frames()).smmu(new BackendGpuSmmu(smmu, device, this::adrenoSmmu))
                .pasidContexts(config.contexts().equals("pasid"))
                .stallOnFault(config.stall_on_fault(), Duration.ofMillis(config.stall_cooldown_ms()))
                .rateLimit(Duration.ofMillis(config.ratelimit_interval_ms()), config.ratelimit_burst())
                .snapshotHistory(config.snapshot_history()).recoveryExecutor(worker).log(new OsgiLogSink(logger))
                .build();
        this.handler = new GpuFaultHandler(gpu);
        if (config.run_period_ms() > 0) {
            worker.scheduleWithFixedDelay(() -> gpu.run(Integer.MAX_VALUE), config.run_period_ms(),
                    config.run_period_ms(), TimeUnit.MILLISECONDS);
        }
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addAdrenoSmmu(AdrenoSmmu smmu) {
        adrenoSmmus.add(smmu);
    }

    void removeAdrenoSmmu(AdrenoSmmu smmu) {
        adrenoSmmus.remove(smmu);
    }

    /** The SMMUv3's own switch when it can switch the GPU's stall, else one an SMMU backend registered. */
    private AdrenoSmmu adrenoSmmu() {
        if (smmuStall.available()) {
            return smmuStall;
        }
        for (AdrenoSmmu s : adrenoSmmus) {
            if (s.device().equals(device)) {
                return s;
            }
        }
        return null;
    }

    @Deactivate
    void deactivate() throws InterruptedException {
        worker.shutdownNow();
        worker.awaitTermination(5, TimeUnit.SECONDS);
        gpu.release();
    }

    @Override
    public void handle(FaultGroup group) {
        handler.handle(group);
    }

    @Override
    public GpuStatus status() {
        return gpu.status();
    }

    @Override
    public int createContext() {
        return gpu.createContext();
    }

    @Override
    public void map(int context, long iova, long size, Permissions access) {
        gpu.map(context, iova, size, access);
    }

    @Override
    public void unmap(int context, long iova, long size) {
        gpu.unmap(context, iova, size);
    }

    @Override
    public long readWord(int context, long iova) {
        return gpu.readWord(context, iova);
    }

    @Override
    public long submit(int context, List<GpuCommand> commands) {
        return gpu.submit(context, commands);
    }

    @Override
    public JobState job(long seqno) {
        return gpu.job(seqno);
    }

    @Override
    public List<GpuSnapshot> snapshots() {
        return gpu.snapshots();
    }

    @Override
    public Optional<GpuSnapshot> readCrashState() {
        return gpu.readCrashState();
    }
}
