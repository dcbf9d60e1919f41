package dev.faultline.drivers.remoteproc.internal;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.core.log.LogSink;
import dev.faultline.drivers.remoteproc.Coredump;
import dev.faultline.drivers.remoteproc.CoredumpSegment;
import dev.faultline.drivers.remoteproc.Crash;
import dev.faultline.drivers.remoteproc.CrashType;
import dev.faultline.drivers.remoteproc.FirmwareImage;
import dev.faultline.drivers.remoteproc.FirmwareSegment;
import dev.faultline.drivers.remoteproc.MemoryRegion;
import dev.faultline.drivers.remoteproc.RemoteProcessor;
import dev.faultline.drivers.remoteproc.RprocState;
import dev.faultline.drivers.remoteproc.RprocStatus;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.LongSupplier;

/**
 * The remote processor model and its remoteproc core logic ({@code remoteproc_core.c}): carveouts in physical
 * memory mapped into the processor's own IOMMU domain, firmware loading, the state machine, crash reporting
 * (never blocking, first report of an episode only), and recovery on an executor: stop, coredump of every
 * carveout, firmware reload, start. A crash loop is bounded by a {@link CrashLoopPolicy}.
 *
 * <p>Thread-safe. {@link #reportCrash} and {@link #reportMmuFault} may be called from the IOMMU's fault thread;
 * {@link #tick}, recovery, {@link #boot} and {@link #shutdown} take the processor's operation lock, as Linux
 * takes {@code rproc->lock}.
 *
 * <p><b>Size.</b> One class because it is remoteproc's state machine under one operation lock, as Linux's rproc is;
 * carveouts, firmware and the crash-loop policy are their own classes.
 */
public final class Rproc implements RemoteProcessor {
    private final String name;
    private final String deviceName;
    private final String domain;
    private final List<Carveout> carveouts;
    private final PhysicalMemory memory;
    private final DomainMapping mapping;
    private final ProcessorCore core;
    private final String firmwareName;
    private final FirmwareLoader firmwareLoader;
    private final Executor recoveryExecutor;
    private final LongSupplier clock;
    private final boolean coredumpEnabled;
    private final LogSink log;
    private final String prefix;
    private final Runnable crashHandler = this::handleCrash;
    private final Runnable recoveryTask = this::recoverFromWorker;

    /** Guards the state below; never held across DMA, recovery steps or logging. */
    private final Object stateLock = new Object();
    /** Serialises whole operations (tick, recovery, boot, shutdown), like {@code rproc->lock}. */
    private final Object operationLock = new Object();
    private final CrashLoopPolicy policy;
    private RprocState state = RprocState.OFFLINE;
    private boolean crashPending;
    private CrashType pendingType;
    private long pendingAddress;
    private Permissions pendingAccess = Permissions.NONE;
    private long pendingNanos;
    private int crashCount;
    private long coalescedReports;
    private int recoveries;
    private int crashLoopHalts;
    private boolean recoveryEnabled;
    private Crash lastCrash;
    private Coredump lastCoredump;

    private Rproc(Builder b) {
        this.name = b.name;
        this.deviceName = b.deviceName;
        this.domain = b.domain;
        this.memory = b.allocator.memory();
        this.mapping = b.mapping;
        this.core = new ProcessorCore(b.dma, b.dmaTimeout);
        this.firmwareName = b.firmwareName;
        this.firmwareLoader = b.firmwareLoader;
        this.recoveryExecutor = b.recoveryExecutor;
        this.clock = b.clock;
        this.coredumpEnabled = b.coredumpEnabled;
        this.recoveryEnabled = b.recoveryEnabled;
        this.log = b.log;
        this.policy = new CrashLoopPolicy(b.maxRecoveries, b.crashLoopWindow.toNanos());
        this.prefix = "remoteproc " + deviceName + ": ";
        List<Carveout> placed = new ArrayList<>();
        for (MemoryRegion region : b.regions) {
            long pa = b.allocator.allocate(region.size(), PhysicalMemory.PAGE_SIZE);
            mapping.map(region.deviceAddress(), pa, region.size(), region.access());
            placed.add(new Carveout(region, pa));
        }
        this.carveouts = List.copyOf(placed);
    }

    /** A builder for a processor called {@code name}. */
    public static Builder builder(String name) {
        return new Builder(name);
    }

    @Override
    public String name() {
        return name;
    }

    /** The IOMMU domain the processor's fault handler serves. */
    public String domain() {
        return domain;
    }

    /** Its memory regions. */
    public List<MemoryRegion> regions() {
        return carveouts.stream().map(Carveout::region).toList();
    }

    @Override
    public RprocStatus status() {
        synchronized (stateLock) {
            return new RprocStatus(name, deviceName, domain, state, firmwareName, crashCount, coalescedReports,
                    recoveries, recoveryEnabled, crashLoopHalts, Optional.ofNullable(lastCrash));
        }
    }

    @Override
    public Optional<Coredump> lastCoredump() {
        synchronized (stateLock) {
            return Optional.ofNullable(lastCoredump);
        }
    }

    /** Instructions the core executed since the processor was created. */
    public long instructionsExecuted() {
        return core.executed();
    }

    @Override
    public long readWord(long da) {
        return memory.read64(physical(da));
    }

    @Override
    public void writeWord(long da, long value) {
        memory.write64(physical(da), value);
    }

    @Override
    public void boot() {
        synchronized (operationLock) {
            synchronized (stateLock) {
                if (state != RprocState.OFFLINE) {
                    throw new IllegalStateException(name + " is " + state + "; only an offline processor boots");
                }
                policy.reset();
            }
            FirmwareImage image = requestFirmware()
                    .orElseThrow(() -> new IllegalStateException("request_firmware failed: " + firmwareName));
            start(image);
        }
    }

    @Override
    public void shutdown() {
        synchronized (operationLock) {
            boolean wasOn;
            synchronized (stateLock) {
                wasOn = state != RprocState.OFFLINE;
                state = RprocState.OFFLINE;
                crashPending = false;
            }
            if (wasOn) {
                core.stop();
                log.info(prefix + "stopped remote processor " + name);
            }
        }
    }

    /**
     * Gives the core one time slice of at most {@code budget} instructions, if it is running. An undefined
     * instruction is the firmware's fatal error and is reported as a {@link CrashType#FATAL_ERROR} crash.
     *
     * @return why the slice ended
     */
    public ProcessorCore.Exit tick(int budget) {
        ProcessorCore.Exit exit;
        synchronized (operationLock) {
            synchronized (stateLock) {
                if (state != RprocState.RUNNING) {
                    return ProcessorCore.Exit.STOPPED;
                }
            }
            exit = core.run(budget);
        }
        if (exit == ProcessorCore.Exit.UNDEFINED_INSTRUCTION) {
            reportCrash(CrashType.FATAL_ERROR);
        }
        return exit;
    }

    @Override
    public boolean reportCrash(CrashType type) {
        return report(type, 0, Permissions.NONE, null);
    }

    /**
     * Reports an IOMMU fault of the processor ({@code rproc_iommu_fault}): prints
     * {@code iommu fault: da 0x%lx flags 0x%x} and reports a {@link CrashType#MMUFAULT} crash if this fault
     * starts an episode; otherwise only counts it. Never blocks; allocates only when it starts an episode.
     *
     * @param device the device that faulted, printed as the line's device
     * @param deviceAddress the faulting device address
     * @param access the faulting access
     * @return whether the fault started a crash episode
     */
    public boolean reportMmuFault(DeviceId device, long deviceAddress, Permissions access) {
        return report(CrashType.MMUFAULT, deviceAddress, access, device);
    }

    private boolean report(CrashType type, long deviceAddress, Permissions access, DeviceId device) {
        Objects.requireNonNull(type, "type");
        synchronized (stateLock) {
            if (state == RprocState.OFFLINE) {
                return false;
            }
            if (state != RprocState.RUNNING || crashPending) {
                coalescedReports++;
                return false;
            }
            crashPending = true;
            pendingType = type;
            pendingAddress = deviceAddress;
            pendingAccess = access;
            pendingNanos = clock.getAsLong();
        }
        if (device != null) {
            // Linux rproc_report_crash: flags are IOMMU_FAULT_READ 0x0 / IOMMU_FAULT_WRITE 0x1.
            log.error(String.format("%s: iommu fault: da 0x%x flags 0x%x", device, deviceAddress,
                    access.write() ? 1 : 0));
        }
        log.error(prefix + "crash detected in " + name + ": type " + type.label());
        recoveryExecutor.execute(crashHandler);
        return true;
    }

    /** {@code rproc_crash_handler_work}: runs on the recovery executor. */
    private void handleCrash() {
        int number;
        boolean recover;
        boolean halted = false;
        synchronized (stateLock) {
            if (!crashPending) {
                return;
            }
            crashPending = false;
            if (state != RprocState.RUNNING) {
                return;
            }
            state = RprocState.CRASHED;
            number = ++crashCount;
            lastCrash = new Crash(number, pendingType, pendingAddress, pendingAccess, pendingNanos);
            recover = recoveryEnabled;
            if (recover && !policy.allows(clock.getAsLong())) {
                recover = false;
                halted = true;
                crashLoopHalts++;
            }
        }
        log.error(prefix + "handling crash #" + number + " in " + name);
        if (recover) {
            recoverFromWorker();
        } else if (halted) {
            log.error(String.format("%scrash loop: %d recoveries within %d ms, leaving %s crashed", prefix,
                    policy.maxRecoveries(), Duration.ofNanos(policy.windowNanos()).toMillis(), name));
        }
    }

    @Override
    public void setRecoveryEnabled(boolean enabled) {
        boolean recoverNow;
        synchronized (stateLock) {
            recoveryEnabled = enabled;
            recoverNow = enabled && state == RprocState.CRASHED;
        }
        if (recoverNow) {
            recoveryExecutor.execute(recoveryTask);
        }
    }

    @Override
    public boolean recover() {
        synchronized (stateLock) {
            if (state != RprocState.CRASHED) {
                return false;
            }
            policy.reset();
        }
        recoveryExecutor.execute(recoveryTask);
        return true;
    }

    /** {@code rproc_trigger_recovery} then {@code rproc_boot_recovery}. */
    private void recoverFromWorker() {
        synchronized (operationLock) {
            int crash;
            synchronized (stateLock) {
                if (state != RprocState.CRASHED) {
                    return;
                }
                state = RprocState.RECOVERY;
                crash = crashCount;
            }
            log.info(prefix + "recovering " + name);
            core.stop();
            log.info(prefix + "stopped remote processor " + name);
            if (coredumpEnabled) {
                Coredump dump = coredump(crash);
                synchronized (stateLock) {
                    lastCoredump = dump;
                }
            }
            Optional<FirmwareImage> image = requestFirmware();
            if (image.isEmpty()) {
                synchronized (stateLock) {
                    state = RprocState.OFFLINE;
                }
                log.error(prefix + "request_firmware failed: " + firmwareName + ", " + name + " stays offline");
                return;
            }
            start(image.get());
            synchronized (stateLock) {
                recoveries++;
                policy.recordRecovery(clock.getAsLong());
            }
        }
    }

    private Optional<FirmwareImage> requestFirmware() {
        Optional<FirmwareImage> image = firmwareLoader.request(firmwareName);
        image.ifPresent(i -> i.checkFits(regions()));
        return image;
    }

    /** Loads {@code image} into the carveouts and starts the core ({@code rproc_start}). */
    private void start(FirmwareImage image) {
        for (FirmwareSegment segment : image.segments()) {
            long pa = physical(segment.deviceAddress());
            for (int i = 0; i < segment.fileSize(); i++) {
                memory.write8(pa + i, segment.byteAt(i));
            }
            for (long i = segment.fileSize(); i < segment.memorySize(); i++) {
                memory.write8(pa + i, 0);
            }
        }
        core.reset(image.entryPoint());
        synchronized (stateLock) {
            state = RprocState.RUNNING;
        }
        log.info(prefix + "remote processor " + name + " is now up");
    }

    /** Every carveout as it is now, read from memory ({@code rproc_coredump} of the registered segments). */
    private Coredump coredump(int crash) {
        List<CoredumpSegment> segments = new ArrayList<>(carveouts.size());
        for (Carveout c : carveouts) {
            segments.add(new CoredumpSegment(c.region().name(), c.region().deviceAddress(),
                    memory.readBytes(c.physicalAddress(), (int) c.region().size())));
        }
        return new Coredump(crash, firmwareName, segments);
    }

    /** Unmaps the carveouts from the domain (the processor must be offline). */
    public void release() {
        shutdown();
        for (Carveout c : carveouts) {
            mapping.unmap(c.region().deviceAddress(), c.region().size());
        }
    }

    private long physical(long da) {
        for (Carveout c : carveouts) {
            if (c.region().contains(da, 1)) {
                return c.physicalAddress() + (da - c.region().deviceAddress());
            }
        }
        throw new IllegalArgumentException(String.format("device address 0x%x is in no carveout of %s", da, name));
    }

    /** A region and where the host placed it. */
    private record Carveout(MemoryRegion region, long physicalAddress) {
    }

    /** Builds an {@link Rproc}. Not thread-safe. */
    public static final class Builder {
        private final String name;
        private String deviceName = "remoteproc0";
        private String domain;
        private final List<MemoryRegion> regions = new ArrayList<>();
        private FrameAllocator allocator;
        private DomainMapping mapping;
        private DmaDevice dma;
        private Duration dmaTimeout = Duration.ofSeconds(1);
        private String firmwareName;
        private FirmwareLoader firmwareLoader;
        private Executor recoveryExecutor;
        private LongSupplier clock = System::nanoTime;
        private int maxRecoveries = 3;
        private Duration crashLoopWindow = Duration.ofMinutes(1);
        private boolean recoveryEnabled = true;
        private boolean coredumpEnabled = true;
        private LogSink log;

        private Builder(String name) {
            if (name == null || name.isBlank()) {
                throw new IllegalArgumentException("a remote processor needs a name");
            }
            this.name = name;
            this.domain = name;
        }

        /** The class device name, {@code remoteproc0} by default. */
        public Builder deviceName(String value) {
            deviceName = value;
            return this;
        }

        /** The IOMMU domain name; the processor's name by default. */
        public Builder domain(String value) {
            domain = value;
            return this;
        }

        /** Adds a carveout. */
        public Builder region(MemoryRegion region) {
            regions.add(Objects.requireNonNull(region, "region"));
            return this;
        }

        /** Where carveouts are allocated. */
        public Builder memory(FrameAllocator value) {
            allocator = value;
            return this;
        }

        /** The processor's IOMMU domain. */
        public Builder mapping(DomainMapping value) {
            mapping = value;
            return this;
        }

        /** The DMA port of the processor's core and how long one access may wait (stalls). */
        public Builder dma(DmaDevice value, Duration timeout) {
            dma = value;
            dmaTimeout = timeout;
            return this;
        }

        /** The firmware to boot and where to find it. */
        public Builder firmware(String imageName, FirmwareLoader loader) {
            firmwareName = imageName;
            firmwareLoader = loader;
            return this;
        }

        /**
         * Where crash handling and recovery run (Linux's {@code rproc_recovery_wq}). It must run tasks on
         * another thread than the caller's: a crash is reported from the fault thread, possibly while the core
         * is inside a DMA access.
         */
        public Builder recoveryExecutor(Executor value) {
            recoveryExecutor = value;
            return this;
        }

        /** The clock of crash times and the crash-loop window, {@link System#nanoTime()} by default. */
        public Builder clock(LongSupplier value) {
            clock = value;
            return this;
        }

        /** At most {@code max} automatic recoveries within {@code window} (0: unbounded); 3 per minute by default. */
        public Builder crashLoopPolicy(int max, Duration window) {
            maxRecoveries = max;
            crashLoopWindow = window;
            return this;
        }

        /** Whether crashes are recovered (default) or leave the processor crashed. */
        public Builder recoveryEnabled(boolean value) {
            recoveryEnabled = value;
            return this;
        }

        /** Whether recovery takes a coredump first (default). */
        public Builder coredumpEnabled(boolean value) {
            coredumpEnabled = value;
            return this;
        }

        /** Where its lines go. */
        public Builder log(LogSink value) {
            log = value;
            return this;
        }

        /**
         * Allocates and maps the carveouts and builds the processor, {@link RprocState#OFFLINE}.
         *
         * @throws NullPointerException if memory, mapping, DMA, firmware, executor or log is missing
         * @throws IllegalArgumentException if there is no carveout, or two overlap
         */
        public Rproc build() {
            Objects.requireNonNull(allocator, "memory");
            Objects.requireNonNull(mapping, "mapping");
            Objects.requireNonNull(dma, "dma");
            Objects.requireNonNull(firmwareName, "firmware");
            Objects.requireNonNull(firmwareLoader, "firmware loader");
            Objects.requireNonNull(recoveryExecutor, "recovery executor");
            Objects.requireNonNull(log, "log");
            Objects.requireNonNull(deviceName, "device name");
            Objects.requireNonNull(domain, "domain");
            if (regions.isEmpty()) {
                throw new IllegalArgumentException(name + " needs at least one carveout");
            }
            for (int i = 0; i < regions.size(); i++) {
                for (int j = i + 1; j < regions.size(); j++) {
                    MemoryRegion a = regions.get(i);
                    MemoryRegion b = regions.get(j);
                    if (a.deviceAddress() < b.deviceAddress() + b.size()
                            && b.deviceAddress() < a.deviceAddress() + a.size()) {
                        throw new IllegalArgumentException("carveouts " + a.name() + " and " + b.name() + " overlap");
                    }
                }
            }
            return new Rproc(this);
        }
    }
}
