package dev.faultline.soak;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.vtd.UnitCounters;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.smmuv3.internal.SoakSmmuDriver;
import dev.faultline.vtd.internal.SoakVtdDriver;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.LongAdder;

/**
 * The machine the soak runs on, and the software on it: one SMMUv3 (two stalling masters, four PRI functions, one
 * terminating master) and one VT-d unit (four PRI functions, one terminating master) in one memory, the production
 * SMMUv3 and VT-d drivers, the production core, and a {@link ChaosHandler} per domain. It can swap each driver
 * (stop, then start a new instance that takes the hardware over and drains it), swap the core (drivers stopped,
 * core closed, a new core with the handlers registered again, new drivers), hot-unplug and re-plug a device, detach
 * and re-attach a domain, and make a handler throw until it is quarantined.
 *
 * <p>The queues are small (32 events, 64 PRI entries, a one-page PRQ of 128 descriptors) so that the gaps of the
 * swaps and the bursts overflow them.
 * Handlers are registered for their domain and for their devices, so a new driver's faults reach them before the
 * domains are attached again (attachments are not carried over a driver swap).
 */
final class SoakMachine implements AutoCloseable {
    static final String SMMU = "smmuv3.0";
    static final String DMAR = "dmar0";
    static final long TIMEOUT_MILLIS = 20;
    private static final int EVENT_QUEUE_LOG2 = 5;
    private static final int PRI_QUEUE_LOG2 = 6;
    private static final int WINDOW = 8;
    private static final long PRI_PAGES = 0x7f00_0000_0000L;

    final Machine machine = Machine.create("soak", 0x4000_0000L, 0x4000_0000L);
    final Smmu smmu = new Smmu(SMMU, SmmuFeatures.defaults().withQueues(EVENT_QUEUE_LOG2, PRI_QUEUE_LOG2, 8), machine.memory());
    final RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard(DMAR, 0, 8, 1L << 40), machine.memory());
    final List<PriFunction> smmuFunctions = new ArrayList<>();
    final List<PriFunction> vtdFunctions = new ArrayList<>();
    final List<StallingMaster> masters = new ArrayList<>();
    final LongAdder problemLines = new LongAdder();
    private final DmaDevice smmuNoise;
    private final DmaDevice vtdNoise;
    private final ExecutorService later = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "soak-deferred-answers");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, ChaosHandler> handlers = new LinkedHashMap<>();
    private final Map<String, Map<String, Object>> handlerProperties = new HashMap<>();
    private final Map<DeviceId, Attachment> attachments = new LinkedHashMap<>();
    private final List<StandaloneCore> retiredCores = new ArrayList<>();
    private final Map<String, DeviceNode> nodes = new HashMap<>();
    private StandaloneCore core;
    private final List<SoakSmmuDriver> smmuDrivers = new ArrayList<>();
    private final List<SoakVtdDriver> vtdDrivers = new ArrayList<>();
    private SoakSmmuDriver smmuDriver;
    private SoakVtdDriver vtdDriver;

    /** What a device is attached to, to attach it again after a driver swap or a re-plug. */
    private record Attachment(DeviceId device, int pasid, Domain domain, TranslationTable smmuTable, long vtdRoot) {
    }

    SoakMachine() {
        machine.addIommu(smmu);
        machine.addIommu(unit);
        for (int i = 0; i < 2; i++) {
            String name = "gpu" + i;
            DeviceNode node = node("platform:" + name + "@" + SMMU + ":0x" + Integer.toHexString(0x10 + i) + ":stall");
            TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
            long frame = machine.frames().allocatePage();
            handler(name, page -> pageIn(table, page, frame), 0, node.id());
            attachments.put(node.id(), new Attachment(node.id(), Pasid.NONE, Domain.unmanaged(name), table, 0));
            masters.add(new StallingMaster(node.id(), node.requesterId(), smmu, table, WINDOW));
        }
        for (int i = 0; i < 4; i++) {
            String name = "sva" + i;
            DeviceNode node = node(String.format("0000:01:00.%d@%s:0x%x:pri", i, SMMU, 0x100 + i));
            // one queued handler: its hangs block its thread and fill its queue
            handler(name, null, i == 3 ? 3 * TIMEOUT_MILLIS : 0, node.id());
            attachments.put(node.id(), new Attachment(node.id(), i + 1, Domain.sva(name),
                    TranslationTable.stage1(machine.frames(), 48), 0));
            smmuFunctions.add(new PriFunction(node.id(), node.requesterId(), i + 1, smmu, WINDOW));
        }
        DeviceNode dsp = node("platform:dsp0@" + SMMU + ":0x30");
        handler("dsp0", null, 0, dsp.id());
        attachments.put(dsp.id(), new Attachment(dsp.id(), Pasid.NONE, Domain.unmanaged("dsp0"),
                TranslationTable.stage1(machine.frames(), 48), 0));
        smmuNoise = DmaDevice.of("dsp0", dsp.requesterId(), smmu, machine.memory());
        for (int i = 0; i < 4; i++) {
            String name = "vtd" + i;
            PciRequesterId id = new PciRequesterId(0, 2, 0, i);
            handler(name, null, 0, id);
            attachments.put(id, new Attachment(id, i + 1, Domain.sva(name), null,
                    new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K).root()));
            vtdFunctions.add(new PriFunction(id, id.rid(), i + 1, unit, WINDOW));
        }
        PciRequesterId nic = new PciRequesterId(0, 2, 8, 0);
        handler("vtd-nic", null, 0, nic);
        attachments.put(nic, new Attachment(nic, Pasid.NONE, Domain.dma("vtd-nic"), null,
                new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K).root()));
        vtdNoise = DmaDevice.of("vtd-nic", nic.rid(), unit, machine.memory());
        core = newCore();
        startDrivers();
    }

    private DeviceNode node(String text) {
        DeviceNode node = DeviceNode.parse(text);
        machine.addDevice(node);
        nodes.put(node.id().toString(), node);
        return node;
    }

    private void handler(String domain, java.util.function.LongConsumer pageIn, long hangMillis, DeviceId device) {
        handlers.put(domain, new ChaosHandler(domain, pageIn, later, hangMillis));
        Map<String, Object> props = new HashMap<>();
        props.put(HandlerProperties.DOMAIN, domain);
        props.put(HandlerProperties.DEVICE, device.toString());
        props.put(HandlerProperties.TIMEOUT_MS, TIMEOUT_MILLIS);
        props.put(HandlerProperties.DISPATCH, hangMillis > 0 ? HandlerProperties.DISPATCH_QUEUED
                : HandlerProperties.DISPATCH_INLINE);
        handlerProperties.put(domain, props);
    }

    private static void pageIn(TranslationTable table, long page, long frame) {
        if (table.lookup(page).isEmpty()) {
            try {
                table.map(page, frame, 0x1000, Protection.READ_WRITE);
            } catch (IllegalStateException mappedMeanwhile) {
                // another fault of the same page mapped it first
            }
        }
    }

    private StandaloneCore newCore() {
        StandaloneCore c = StandaloneCore.builder().defaultTimeoutMillis(TIMEOUT_MILLIS).queueDepth(8)
                .partials(64, 1024).start();
        handlers.forEach((domain, h) -> ids.put(domain, c.register(h, handlerProperties.get(domain))));
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
        smmuDriver = new SoakSmmuDriver(smmu, machine, core.pipeline(), PRI_QUEUE_LOG2, line -> problemLines.increment());
        smmuDrivers.add(smmuDriver);
    }

    private void startVtdDriver() {
        vtdDriver = new SoakVtdDriver(unit, machine.frames(), core.pipeline(), line -> problemLines.increment());
        vtdDrivers.add(vtdDriver);
    }

    private void attachSmmu() {
        for (Attachment a : attachments.values()) {
            if (a.smmuTable() != null && smmuDriver.domains().devices().contains(a.device())) {
                smmuDriver.domains().attachStage1(a.device(), a.pasid(), a.domain(), a.smmuTable());
            }
        }
    }

    private void attachVtd() {
        for (Attachment a : attachments.values()) {
            if (a.smmuTable() == null) {
                vtdDriver.iommu().attach((PciRequesterId) a.device(), a.pasid(), a.domain(), a.vtdRoot());
            }
        }
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
        retiredCores.add(core);
        core = newCore();
        startDrivers();
    }

    /** Unplugs an SMMUv3 device (PRI function or stalling master) and plugs it back. */
    void replugSmmuDevice(DeviceId id) {
        machine.removeDevice(id);
        machine.addDevice(nodes.get(id.toString()));
        Attachment a = attachments.get(id);
        smmuDriver.domains().attachStage1(a.device(), a.pasid(), a.domain(), a.smmuTable());
    }

    /** Removes a VT-d function from the driver (its context cleared, its groups answered) and adds it back. */
    void replugVtdDevice(PciRequesterId id) {
        vtdDriver.iommu().removeDevice(id);
        Attachment a = attachments.get(id);
        vtdDriver.iommu().attach(id, a.pasid(), a.domain(), a.vtdRoot());
    }

    /** Detaches a device's domain while its faults are in flight, then attaches it again. */
    void detachAndReattach(DeviceId id) {
        Attachment a = attachments.get(id);
        if (a.smmuTable() != null) {
            smmuDriver.domains().detach(id, a.pasid());
            smmuDriver.domains().attachStage1(a.device(), a.pasid(), a.domain(), a.smmuTable());
        } else {
            vtdDriver.iommu().detach((PciRequesterId) id, a.pasid());
            vtdDriver.iommu().attach((PciRequesterId) id, a.pasid(), a.domain(), a.vtdRoot());
        }
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
        ids.put(domain, core.register(h, handlerProperties.get(domain)));
    }

    /**
     * Updates the handler of {@code domain} as a bundle update or a DS reactivation does: its registration leaves
     * and, {@code gapMicros} later, a new one for the same targets arrives, while the devices keep faulting.
     */
    void update(String domain, long gapMicros) {
        core.unregister(ids.get(domain));
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(gapMicros));
        ids.put(domain, core.register(handlers.get(domain), handlerProperties.get(domain)));
    }

    /** The "no handler" count of the device the handler of {@code domain} serves (by the current core). */
    long noHandlerOf(String domain) {
        String device = (String) handlerProperties.get(domain).get(HandlerProperties.DEVICE);
        return core.statistics().devices().stream().filter(d -> d.device().equals(device))
                .mapToLong(d -> d.counts().noHandler()).sum();
    }

    /** The core's state of the handler of {@code domain}. */
    dev.faultline.api.stats.HandlerStatus.State handlerState(String domain) {
        return core.statistics().handlers().stream().filter(s -> s.domains().contains(domain)).findFirst()
                .orElseThrow().state();
    }

    /** A burst of {@code n} unrecoverable faults from each terminating master (overflows the event queue). */
    void unrecoverableBurst(int n, long firstAddress) {
        for (int i = 0; i < n; i++) {
            long address = firstAddress + ((long) i << 12);
            smmuNoise.start(new DmaAccess(0x30, Pasid.NONE, address, AccessType.READ, false, 8, false));
            vtdNoise.start(new DmaAccess(vtdNoise.requesterId(), Pasid.NONE, address, AccessType.WRITE, false, 8,
                    false));
        }
    }

    /** The page address of the {@code n}th group of a PRI function, carrying {@code act}. */
    static long priPage(long n, HandlerAct act) {
        return act.in(PRI_PAGES + ((n & 0xffff) << 16));
    }

    // ------------------------------------------------------------------ figures

    /** The core's counters: every retired core's totals and the running core's. */
    List<FaultCounts> coreTotals() {
        List<FaultCounts> all = new ArrayList<>();
        retiredCores.forEach(c -> all.add(c.statistics().totals()));
        all.add(core.statistics().totals());
        return all;
    }

    /** Groups the running core holds unanswered. */
    int pendingGroups() {
        return core.statistics().pending().size();
    }

    /** Every SMMUv3 driver instance so far, the running one last. */
    List<SoakSmmuDriver> smmuDrivers() {
        return smmuDrivers;
    }

    /** Every VT-d driver instance so far, the running one last. */
    List<SoakVtdDriver> vtdDrivers() {
        return vtdDrivers;
    }

    SmmuStatistics smmuCounters() {
        return smmu.statistics();
    }

    UnitCounters unitCounters() {
        return unit.counters();
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
