package dev.faultline.soak.simulation;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.stats.FaultCounts;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.core.internal.BrokenWatchdogCore;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.smmuv3.standalone.StandaloneSmmu;
import dev.faultline.soak.CoreFigures;
import dev.faultline.soak.SoakTopology;
import dev.faultline.vtd.standalone.StandaloneVtd;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.LongConsumer;

/**
 * The simulated machine and the software on it, every thread of it an actor of one {@link Scheduler}: the chaos
 * soak's machine ({@link SoakTopology}), the production SMMUv3 and VT-d drivers (their fault threads the scheduler's),
 * the production core (its watchdog and queued handlers' threads the scheduler's, its time the virtual clock) and a
 * {@link SimHandler} per domain, one of them queued. It swaps drivers and the core, re-plugs devices, detaches and
 * re-attaches domains, updates handlers, storms a handler into quarantine and bursts unrecoverable faults, each as
 * a thread of the machine would: a swap, a re-plug or a detach waits for the driver's pass in progress and keeps the
 * next one out until it is done (it joins the fault thread, or drains the queues under its pass's lock); a handler
 * update or a core swap waits for every call in progress.
 */
final class SimMachine implements AutoCloseable {
    static final long TIMEOUT_MILLIS = SoakTopology.TIMEOUT_MILLIS;
    static final long TIMEOUT_NANOS = TimeUnit.MILLISECONDS.toNanos(TIMEOUT_MILLIS);
    private static final long INLINE_BLOCK_MILLIS = 10;
    private static final long WATCHDOG_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long SCAN_NANOS = TimeUnit.MILLISECONDS.toNanos(INLINE_BLOCK_MILLIS) / 2;
    private static final int WINDOW = 8;

    final Scheduler scheduler;
    final Violations violations = new Violations();
    final List<SimPriFunction> smmuFunctions = new ArrayList<>();
    final List<SimPriFunction> vtdFunctions = new ArrayList<>();
    final List<SimStallingMaster> masters = new ArrayList<>();
    private final Map<DeviceId, SimPriFunction> functionsById = new HashMap<>();
    private final Map<DeviceId, SimStallingMaster> mastersById = new HashMap<>();
    private final boolean brokenWatchdog;
    private final SoakTopology topology;
    final Smmu smmu;
    final RemappingUnit unit;
    /** A guest with its guest-programmed virtual SMMUv3 and two devices behind the SMMU assigned to it. */
    final SimGuest guest;
    /** The SMMUv3 driver's fault thread: a successor replaces it when a handler holds it. */
    private Scheduler.Actor smmuThread = new Scheduler.Actor(SoakTopology.SMMU + "-evtq");
    /** The VT-d driver's interrupt thread, likewise. */
    private Scheduler.Actor vtdThread = new Scheduler.Actor(SoakTopology.DMAR + "-prq");
    private int successors;
    final Scheduler.Actor watchdog = new Scheduler.Actor("faultline-deadline-watchdog");
    final Scheduler.Actor workers = new Scheduler.Actor("handler-workers");
    final Scheduler.Actor chaos = new Scheduler.Actor("chaos");
    private final Map<Object, Scheduler.Actor> queueActors = new IdentityHashMap<>();
    /**
     * The driver threads (the SMMUv3's first, the VT-d's second; each replaced by its successor), then the queue
     * threads in the order they were created (never iterate the identity map). What a chaos event holds is read
     * from these live lists when it is due.
     */
    private final List<Scheduler.Actor> queueThreads = new ArrayList<>(List.of(smmuThread, vtdThread));
    private final List<Scheduler.Actor> smmuThreads = new ArrayList<>(List.of(smmuThread));
    private final List<Scheduler.Actor> vtdThreads = new ArrayList<>(List.of(vtdThread));
    private final Map<String, SimHandler> handlers = new LinkedHashMap<>();
    private final Map<String, Long> ids = new HashMap<>();
    private final CoreFigures cores = new CoreFigures();
    private final List<StandaloneSmmu> smmuDrivers = new ArrayList<>();
    private final List<StandaloneVtd> vtdDrivers = new ArrayList<>();
    private SimCore core;
    private StandaloneSmmu smmuDriver;
    private StandaloneVtd vtdDriver;
    private boolean smmuPassDue;
    private boolean vtdPassDue;
    private long lastScan = Scheduler.ORIGIN;
    private int chaosPending;
    private int[] faultsLeft = {0};
    private int[] guestFaultsLeft = {0};

    /**
     * @param brokenWatchdog whether the watchdog answers blocked inline calls without claiming them (the seeded bug)
     */
    SimMachine(Scheduler scheduler, boolean brokenWatchdog) {
        this.scheduler = scheduler;
        this.brokenWatchdog = brokenWatchdog;
        this.topology = new SoakTopology(new SoakTopology.Parts() {
            @Override
            public void handler(String domain, LongConsumer pageIn, boolean queued) {
                handlers.put(domain, new SimHandler(domain, SimMachine.this, workers, pageIn, TIMEOUT_NANOS));
            }

            @Override
            public void stallingMaster(DeviceNode node, Smmu smmu, TranslationTable table) {
                SimStallingMaster m = new SimStallingMaster(node.id(), node.requesterId(), smmu, table, WINDOW,
                        scheduler);
                masters.add(m);
                mastersById.put(m.id, m);
            }

            @Override
            public void priFunction(DeviceId id, int requesterId, int pasid, TranslationPort port) {
                SimPriFunction f = new SimPriFunction(id, requesterId, pasid, port, WINDOW, scheduler, violations);
                (port instanceof Smmu ? smmuFunctions : vtdFunctions).add(f);
                functionsById.put(id, f);
            }
        });
        this.smmu = topology.smmu;
        this.unit = topology.unit;
        this.guest = new SimGuest(topology.machine, smmu, () -> smmuDriver.domains(), scheduler, violations,
                TIMEOUT_NANOS, WINDOW);
        core = newCore();
        startDrivers();
        guest.boot();
        scheduler.after(WATCHDOG_TICK_NANOS, watchdog, Scheduler.ROUTINE, this::watchdogTick);
    }

    // ------------------------------------------------------------------ the machine's threads

    private SimCore newCore() {
        SimCore c = brokenWatchdog ? brokenCore() : SimCore.of(StandaloneCore.builder().partials(64, 1024)
                .defaultTimeoutMillis(TIMEOUT_MILLIS).queueDepth(8).inlineBlockMillis(INLINE_BLOCK_MILLIS)
                .log(line -> hostLog("core log: " + line)).stepped(scheduler::now, this::queued));
        handlers.forEach((domain, h) -> ids.put(domain, c.register(h, topology.properties(domain))));
        c.register(guest.handler(), guest.properties());
        cores.started(c.statistics());
        return c;
    }

    /** The core's test fixture with the seeded bug, on the same settings. */
    private SimCore brokenCore() {
        return SimCore.withBrokenWatchdog(new BrokenWatchdogCore(scheduler::now, TIMEOUT_MILLIS, 8,
                INLINE_BLOCK_MILLIS, line -> hostLog("core log: " + line), this::queued));
    }

    /** A group was queued for a queued handler: its queue's thread serves it a moment later. */
    private void queued(Object queue, BooleanSupplier serveOne) {
        Scheduler.Actor thread = queueActors.get(queue);
        if (thread == null) {
            thread = new Scheduler.Actor("faultline-handler-queue-" + queueActors.size());
            queueActors.put(queue, thread);
            queueThreads.add(thread);
        }
        scheduler.after(scheduler.delay(1_000, 20_000), thread, "serves its queue", serveOne::getAsBoolean);
    }

    private void watchdogTick() {
        core.expireDeadlines();
        if (scheduler.now() - lastScan >= SCAN_NANOS) {
            lastScan = scheduler.now();
            core.scan();
        }
        scheduler.after(WATCHDOG_TICK_NANOS + scheduler.delay(0, 200_000), watchdog, Scheduler.ROUTINE,
                this::watchdogTick);
    }

    private void smmuKicked() {
        if (!smmuPassDue) {
            smmuPassDue = true;
            Scheduler.Actor thread = smmuThread;
            scheduler.after(scheduler.delay(1_000, 20_000), thread, "pass", () -> {
                if (thread == smmuThread) { // else it left its loop to a successor while a handler held it
                    smmuPassDue = false;
                    if (!smmuDriver.pass()) {
                        smmuKicked(); // a teardown's drain holds the queues: the thread waits for them
                    }
                }
            });
        }
    }

    private void vtdKicked() {
        if (!vtdPassDue) {
            vtdPassDue = true;
            Scheduler.Actor thread = vtdThread;
            scheduler.after(scheduler.delay(1_000, 20_000), thread, "pass", () -> {
                if (thread == vtdThread) {
                    vtdPassDue = false;
                    if (vtdDriver.pass()) {
                        vtdKicked(); // the thread looks again after a pass that found work or found the queues held
                    }
                }
            });
        }
    }

    /**
     * A handler holds the SMMUv3 driver's fault thread: a fresh thread runs {@code start} (it takes the queues over,
     * steps past the record in flight) and is the fault thread from now on.
     */
    private void smmuSuccessor(Runnable start) {
        Scheduler.Actor successor = new Scheduler.Actor(SoakTopology.SMMU + "-evtq-" + ++successors);
        smmuThread = successor;
        smmuPassDue = false;
        scheduler.after(0, successor, "takes the queues over", () -> {
            // until now the queues' pass was left to it: what waits for the fault thread waited for the old one
            smmuThreads.set(0, successor);
            queueThreads.set(0, successor);
            start.run();
        });
    }

    /** Likewise for the VT-d driver's interrupt thread. */
    private void vtdSuccessor(Runnable start) {
        Scheduler.Actor successor = new Scheduler.Actor(SoakTopology.DMAR + "-prq-" + ++successors);
        vtdThread = successor;
        vtdPassDue = false;
        scheduler.after(0, successor, "takes the queues over", () -> {
            vtdThreads.set(0, successor);
            queueThreads.set(1, successor);
            start.run();
        });
    }

    private void startDrivers() {
        startSmmuDriver();
        startVtdDriver();
        attachSmmu();
        attachVtd();
    }

    private void startSmmuDriver() {
        smmuDriver = StandaloneSmmu.builder(smmu, topology.machine, core.pipeline())
                .queueLog2(SoakTopology.PRI_QUEUE_LOG2, SoakTopology.PRI_QUEUE_LOG2).log(this::problem)
                .clock(scheduler::now).withoutThreads(this::smmuKicked, this::smmuSuccessor).start();
        smmuDrivers.add(smmuDriver);
    }

    private void startVtdDriver() {
        vtdDriver = StandaloneVtd.builder(unit, topology.machine.frames(), core.pipeline()).pageRequestQueueOrder(0)
                .log(this::problem).clock(scheduler::now).withoutThreads(this::vtdKicked, this::vtdSuccessor).start();
        vtdDrivers.add(vtdDriver);
    }

    private void problem(String line) {
        hostLog("driver log: " + line);
    }

    /** A line the host prints: traced; one about a guest's device is a violation (its faults are the guest's). */
    private void hostLog(String line) {
        scheduler.trace(line);
        if (guest.names(line)) {
            violations.add("the host printed a fault of the guest's device: " + line);
        }
    }

    private void attachSmmu() {
        topology.attachSmmu(smmuDriver.domains());
        guest.reattach();
    }

    private void attachVtd() {
        topology.attachVtd(vtdDriver.iommu());
    }

    // ------------------------------------------------------------------ devices

    /**
     * Schedules the devices' faults: {@code faults} in all for the host's devices and an eighth of that for the
     * guest's stalling master, each device at its own pace, from now.
     */
    void startDevices(int faults) {
        int[] left = {faults};
        int[] guestLeft = {faults / 8};
        faultsLeft = left;
        guestFaultsLeft = guestLeft;
        List<Object> all = new ArrayList<>();
        all.addAll(smmuFunctions);
        all.addAll(masters);
        all.addAll(vtdFunctions);
        all.add(guest);
        for (Object d : all) {
            Scheduler.Actor thread = new Scheduler.Actor(d.toString());
            int[] budget = d == guest ? guestLeft : left;
            scheduler.after(scheduler.delay(0, 40_000), thread, "faults", () -> deviceStep(d, thread, budget));
        }
    }

    private void deviceStep(Object device, Scheduler.Actor thread, int[] left) {
        if (left[0] <= 0) {
            return;
        }
        long next;
        if (device instanceof SimPriFunction f && f.canSend()) {
            left[0]--;
            SimAct act = SimAct.draw(scheduler.random());
            long page = act.in(SoakTopology.PRI_PAGES + ((f.groups() & 0xffff) << 16));
            int x = scheduler.random().nextInt(100);
            f.send(page, x < 85 ? 1 : x < 95 ? 2 : 3);
            next = scheduler.delay(2_000, 40_000);
        } else if (device instanceof SimStallingMaster m && m.canIssue()) {
            left[0]--;
            m.issue(SimAct.draw(scheduler.random()));
            next = scheduler.delay(2_000, 40_000);
        } else if (device instanceof SimGuest g && g.deviceStep()) {
            left[0]--;
            next = scheduler.delay(2_000, 40_000);
        } else {
            next = scheduler.delay(200_000, 1_000_000); // its window is full: it looks again later
        }
        scheduler.after(next, thread, "faults", () -> deviceStep(device, thread, left));
    }

    /** Whether the devices issued every fault of the phase and no chaos is still to come. */
    boolean phaseIssued() {
        return faultsLeft[0] <= 0 && guestFaultsLeft[0] <= 0 && chaosPending == 0;
    }

    /** Answers the device heard so far (page request groups answered, or writes completed). */
    long heard(DeviceId device) {
        SimPriFunction f = functionsById.get(device);
        if (f != null) {
            return f.answered();
        }
        SimStallingMaster m = mastersById.get(device);
        return m == null ? 0 : m.completed();
    }

    /**
     * Whether the device's last answer is {@code code}. For a stall, INVALID and FAILURE abort the write, and SUCCESS
     * retries it, which then translates or not under the configuration of that moment (a stall reported by the drain
     * of a detach is answered by its old owner, and its retry finds the new configuration).
     */
    boolean lastHeardIs(DeviceId device, ResponseCode code) {
        SimPriFunction f = functionsById.get(device);
        if (f != null) {
            int pcie = switch (code) {
                case SUCCESS -> 0x0;
                case INVALID -> 0x1;
                case FAILURE -> 0xf;
            };
            return f.lastCode() == pcie;
        }
        SimStallingMaster m = mastersById.get(device);
        return m != null && (code == ResponseCode.SUCCESS || m.lastOutcome() == TranslationOutcome.ABORTED);
    }

    /** Whether the device is a stalling master (whose resumed write may stall again). */
    boolean isStalling(DeviceId device) {
        return mastersById.containsKey(device);
    }

    /** Whether every device has its answers. */
    boolean devicesAtRest() {
        for (SimPriFunction f : smmuFunctions) {
            if (f.outstanding() != 0) {
                return false;
            }
        }
        for (SimPriFunction f : vtdFunctions) {
            if (f.outstanding() != 0) {
                return false;
            }
        }
        for (SimStallingMaster m : masters) {
            if (m.inFlight() != 0) {
                return false;
            }
        }
        return guest.master.inFlight() == 0;
    }

    // ------------------------------------------------------------------ chaos

    private void chaos(long delay, String what, Runnable action) {
        chaosHolding(delay, List.of(), what, action);
    }

    private void chaosHolding(long delay, List<Scheduler.Actor> holds, String what, Runnable action) {
        chaosPending++;
        scheduler.afterHolding(delay, chaos, holds, what, () -> {
            chaosPending--;
            action.run();
        });
    }

    /** The driver threads and the queue threads (a live list): what a core swap or a handler update waits for. */
    private List<Scheduler.Actor> allThreads() {
        return queueThreads;
    }

    /** Stops the SMMUv3 driver (joining its fault thread) and starts a new instance, which takes the SMMU over. */
    void swapSmmuDriver(long delay) {
        chaosHolding(delay, smmuThreads, "swaps the SMMUv3 driver", () -> {
            smmuDriver.close();
            startSmmuDriver();
            if (!smmuDriver.tookOver()) {
                violations.add("the new SMMUv3 driver did not take the running SMMU over");
            }
            attachSmmu();
        });
    }

    /** Stops the VT-d driver (joining its interrupt thread) and starts a new instance, which takes the unit over. */
    void swapVtdDriver(long delay) {
        chaosHolding(delay, vtdThreads, "swaps the VT-d driver", () -> {
            vtdDriver.close();
            startVtdDriver();
            if (!vtdDriver.tookOver()) {
                violations.add("the new VT-d driver did not take the running unit over");
            }
            attachVtd();
        });
    }

    /** Stops both drivers, closes the core, and starts a new core with the handlers and new drivers. */
    void swapCore(long delay) {
        chaosHolding(delay, allThreads(), "swaps the core", () -> {
            smmuDriver.close();
            vtdDriver.close();
            core.close();
                core = newCore();
            startDrivers();
        });
    }

    /** Unplugs an SMMUv3 device and plugs it back (the driver's teardown drains its queues first). */
    void replugSmmuDevice(long delay, DeviceId id) {
        chaosHolding(delay, smmuThreads, "re-plugs " + id, () -> {
            topology.replugSmmuDevice(id, smmuDriver.domains());
        });
    }

    /** Removes a VT-d function from the driver (its groups answered) and adds it back. */
    void replugVtdDevice(long delay, PciRequesterId id) {
        chaosHolding(delay, vtdThreads, "re-plugs " + id, () -> {
            topology.replugVtdDevice(id, vtdDriver.iommu());
        });
    }

    /** Detaches a device's domain while its faults are in flight, then attaches it again. */
    void detachAndReattach(long delay, DeviceId id) {
        chaosHolding(delay, topology.behindSmmu(id) ? smmuThreads : vtdThreads, "detaches and re-attaches " + id,
                () -> topology.detachAndReattach(id, smmuDriver.domains(), vtdDriver.iommu()));
    }

    /**
     * Updates the handler of {@code domain} as a bundle update does: its registration leaves (waiting for its calls
     * in progress) and {@code gap} later a new one for the same targets arrives, while the devices keep faulting; if it
     * was serving (not quarantined), no group of its device may be answered "no handler" meanwhile (they wait for the
     * new one).
     */
    void update(long delay, String domain, long gap) {
        chaosHolding(delay, allThreads(), "unregisters " + domain, () -> {
            long noHandler = noHandlerOf(domain);
            boolean serving = serving(domain);
            core.unregister(ids.get(domain));
            chaos(gap, "registers " + domain + " again", () -> {
                ids.put(domain, core.register(handlers.get(domain), topology.properties(domain)));
                long answered = noHandlerOf(domain) - noHandler;
                if (serving && answered != 0) {
                    violations.add(answered + " group(s) of " + domain + " answered 'no handler' during its update");
                }
            });
        });
    }

    /** Makes the handler of {@code domain} throw until the core quarantines it. */
    void storm(long delay, String domain) {
        chaos(delay, "storms " + domain, () -> handlers.get(domain).storm(1_000_000));
    }

    /** Ends every storm: each handler registers again, which lifts a quarantine (between phases, at rest). */
    void endStorms() {
        for (Map.Entry<String, SimHandler> e : handlers.entrySet()) {
            e.getValue().storm(0);
            core.unregister(ids.get(e.getKey()));
            ids.put(e.getKey(), core.register(e.getValue(), topology.properties(e.getKey())));
        }
    }

    /** The guest floods: {@code n} stage-1 faults of its terminating device (its vIOMMU's rate and queue bounds). */
    void guestFlood(long delay, int n, long phase) {
        chaos(delay, "the guest floods " + n + " faults", () -> guest.flood(n, phase));
    }

    /** A burst of {@code n} unrecoverable faults from each terminating master (overflows the event queue). */
    void unrecoverableBurst(long delay, int n, long firstAddress) {
        chaos(delay, "bursts " + n + " unrecoverable faults", () -> topology.unrecoverableBurst(n, firstAddress));
    }

    // ------------------------------------------------------------------ figures

    /** The totals of every core so far, the running one last. */
    List<FaultCounts> coreTotals() {
        return cores.totals();
    }

    /** The running core's totals. */
    FaultCounts runningCoreTotals() {
        return cores.runningTotals();
    }

    /** Groups the running core holds unanswered. */
    int pendingGroups() {
        return cores.pending();
    }

    /** The "no handler" count of the device the handler of {@code domain} serves (by the running core). */
    long noHandlerOf(String domain) {
        return cores.noHandler(topology.deviceOf(domain));
    }

    /** Whether the running core shows the handler of {@code domain} active (not quarantined). */
    private boolean serving(String domain) {
        return core.statistics().handlers().stream().anyMatch(h -> h.domains().contains(domain)
                && h.state() == HandlerStatus.State.ACTIVE);
    }

    List<String> domains() {
        return topology.domains();
    }

    List<DeviceId> devices() {
        return topology.devices();
    }

    List<StandaloneSmmu> smmuDrivers() {
        return smmuDrivers;
    }

    List<StandaloneVtd> vtdDrivers() {
        return vtdDrivers;
    }

    @Override
    public void close() {
        smmuDriver.close();
        vtdDriver.close();
        core.close();
    }
}
