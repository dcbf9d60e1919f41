package dev.faultline.soak;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import dev.faultline.platform.vtd.UnitCounters;
import dev.faultline.smmuv3.standalone.StandaloneSmmu;
import dev.faultline.vtd.standalone.StandaloneVtd;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongConsumer;

/**
 * The machine the soak runs on ({@link SoakTopology}), and the software on it: the production SMMUv3 and VT-d
 * drivers, the production core, and a {@link ChaosHandler} per domain. It can swap each driver (stop, then start a
 * new instance that takes the hardware over and drains it), swap the core (drivers stopped, core closed, a new core
 * with the handlers registered again, new drivers), hot-unplug and re-plug a device, detach and re-attach a domain,
 * and make a handler throw until it is quarantined.
 */
final class SoakMachine implements AutoCloseable {
    static final long TIMEOUT_MILLIS = SoakTopology.TIMEOUT_MILLIS;
    private static final int WINDOW = 8;

    final List<PriFunction> smmuFunctions = new ArrayList<>();
    final List<PriFunction> vtdFunctions = new ArrayList<>();
    final List<StallingMaster> masters = new ArrayList<>();
    final LongAdder problemLines = new LongAdder();
    private final ExecutorService later = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "soak-deferred-answers");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ChaosHandler> handlers = new LinkedHashMap<>();
    private final SoakTopology topology = new SoakTopology(new SoakTopology.Parts() {
        @Override
        public void handler(String domain, LongConsumer pageIn, boolean queued) {
            handlers.put(domain, new ChaosHandler(domain, pageIn, later, queued ? 3 * TIMEOUT_MILLIS : 0));
        }

        @Override
        public void stallingMaster(DeviceNode node, Smmu smmu, TranslationTable table) {
            masters.add(new StallingMaster(node.id(), node.requesterId(), smmu, table, WINDOW));
        }

        @Override
        public void priFunction(DeviceId id, int requesterId, int pasid, TranslationPort port) {
            (port instanceof Smmu ? smmuFunctions : vtdFunctions).add(new PriFunction(id, requesterId, pasid, port,
                    WINDOW));
        }
    });
    final Smmu smmu = topology.smmu;
    private final CoreFigures cores = new CoreFigures();
    private StandaloneCore core;
    private final List<StandaloneSmmu> smmuDrivers = new ArrayList<>();
    private final List<StandaloneVtd> vtdDrivers = new ArrayList<>();
    private StandaloneSmmu smmuDriver;
    private StandaloneVtd vtdDriver;

    SoakMachine() {
        core = newCore();
        startDrivers();
    }

    private StandaloneCore newCore() {
        StandaloneCore c = StandaloneCore.builder().defaultTimeoutMillis(TIMEOUT_MILLIS).queueDepth(8)
                .partials(64, 1024).start();
        handlers.forEach((domain, h) -> ids.put(domain, c.register(h, topology.properties(domain))));
        cores.started(c.statistics());
        return c;
    }

    private final Map<String, Long> ids = new HashMap<>();

    private void startDrivers() {
        startSmmuDriver();
        startVtdDriver();
        attachSmmu();
        attachVtd();
    }

    private void startSmmuDriver() {
        smmuDriver = StandaloneSmmu.builder(smmu, topology.machine, core.pipeline())
                .queueLog2(SoakTopology.PRI_QUEUE_LOG2, SoakTopology.PRI_QUEUE_LOG2)
                .log(line -> problemLines.increment()).start();
        smmuDrivers.add(smmuDriver);
    }

    private void startVtdDriver() {
        vtdDriver = StandaloneVtd.builder(topology.unit, topology.machine.frames(), core.pipeline())
                .pageRequestQueueOrder(0).log(line -> problemLines.increment()).start();
        vtdDrivers.add(vtdDriver);
    }

    private void attachSmmu() {
        topology.attachSmmu(smmuDriver.domains());
    }

    private void attachVtd() {
        topology.attachVtd(vtdDriver.iommu());
    }

    // ------------------------------------------------------------------ chaos

    /** Stops the SMMUv3 driver and starts a new instance, which takes the SMMU over and drains it. */
    void swapSmmuDriver() {
        smmuDriver.close();
        startSmmuDriver();
        if (!smmuDriver.tookOver()) {
            throw new AssertionError("the new SMMUv3 driver did not take the running SMMU over");
        }
        attachSmmu();
    }

    /** Stops the VT-d driver and starts a new instance, which takes the unit over and drains it. */
    void swapVtdDriver() {
        vtdDriver.close();
        startVtdDriver();
        if (!vtdDriver.tookOver()) {
            throw new AssertionError("the new VT-d driver did not take the running unit over");
        }
        attachVtd();
    }

    /** Stops both drivers, closes the core, and starts a new core with the handlers and new drivers. */
    void swapCore() {
        smmuDriver.close();
        vtdDriver.close();
        core.close();
        core = newCore();
        startDrivers();
    }

    /** Unplugs an SMMUv3 device (PRI function or stalling master) and plugs it back. */
    void replugSmmuDevice(DeviceId id) {
        topology.replugSmmuDevice(id, smmuDriver.domains());
    }

    /** Removes a VT-d function from the driver (its context cleared, its groups answered) and adds it back. */
    void replugVtdDevice(PciRequesterId id) {
        topology.replugVtdDevice(id, vtdDriver.iommu());
    }

    /** Detaches a device's domain while its faults are in flight, then attaches it again. */
    void detachAndReattach(DeviceId id) {
        topology.detachAndReattach(id, smmuDriver.domains(), vtdDriver.iommu());
    }

    /**
     * Makes the handler of {@code domain} throw until the core quarantines it.
     *
     * @return the handler's state afterwards as the core reports it
     */
    ChaosHandler storm(String domain) {
        ChaosHandler h = handlers.get(domain);
        h.storm(1_000_000);
        return h;
    }

    /** Ends a throw storm: the handler registers again (which lifts the quarantine). */
    void reregister(String domain) {
        ChaosHandler h = handlers.get(domain);
        h.storm(0);
        core.unregister(ids.get(domain));
        ids.put(domain, core.register(h, topology.properties(domain)));
    }

    /**
     * Updates the handler of {@code domain} as a bundle update or a DS reactivation does: its registration leaves
     * and, {@code gapMicros} later, a new one for the same targets arrives, while the devices keep faulting.
     */
    void update(String domain, long gapMicros) {
        core.unregister(ids.get(domain));
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(gapMicros));
        ids.put(domain, core.register(handlers.get(domain), topology.properties(domain)));
    }

    /** The "no handler" count of the device the handler of {@code domain} serves (by the current core). */
    long noHandlerOf(String domain) {
        return cores.noHandler(topology.deviceOf(domain));
    }

    /** The core's state of the handler of {@code domain}. */
    dev.faultline.api.stats.HandlerStatus.State handlerState(String domain) {
        return core.statistics().handlers().stream().filter(s -> s.domains().contains(domain)).findFirst()
                .orElseThrow().state();
    }

    /** A burst of {@code n} unrecoverable faults from each terminating master (overflows the event queue). */
    void unrecoverableBurst(int n, long firstAddress) {
        topology.unrecoverableBurst(n, firstAddress);
    }

    /** The page address of the {@code n}th group of a PRI function, carrying {@code act}. */
    static long priPage(long n, HandlerAct act) {
        return act.in(SoakTopology.PRI_PAGES + ((n & 0xffff) << 16));
    }

    // ------------------------------------------------------------------ figures

    /** The core's counters: every retired core's totals and the running core's. */
    List<FaultCounts> coreTotals() {
        return cores.totals();
    }

    /** Groups the running core holds unanswered. */
    int pendingGroups() {
        return cores.pending();
    }

    /** Every SMMUv3 driver instance so far, the running one last. */
    List<StandaloneSmmu> smmuDrivers() {
        return smmuDrivers;
    }

    /** Every VT-d driver instance so far, the running one last. */
    List<StandaloneVtd> vtdDrivers() {
        return vtdDrivers;
    }

    SmmuStatistics smmuCounters() {
        return smmu.statistics();
    }

    UnitCounters unitCounters() {
        return topology.unit.counters();
    }

    /** Handlers by domain. */
    Map<String, ChaosHandler> handlers() {
        return handlers;
    }

    @Override
    public void close() {
        handlers.values().forEach(ChaosHandler::wake);
        smmuDriver.close();
        vtdDriver.close();
        core.close();
        later.shutdownNow();
        try {
            later.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
