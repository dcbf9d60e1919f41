package dev.faultline.smmuv3.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.backend.IommuBackend;
import dev.faultline.api.backend.IommuPort;
import dev.faultline.api.backend.PageResponse;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.core.log.LogSink;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.machine.TopologyListener;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.PriEntry;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.Stage1Tables;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The driver of one SMMUv3, in the role of Linux's {@code arm-smmu-v3.c}: brings the SMMU up (or takes over one a
 * previous driver left running), connects it to the core and follows the devices behind it. The work is done by
 * one class per concern, which this class wires and starts:
 *
 * <ul>
 *   <li>{@link Streams}: the devices' streams, STE and CD programming, attach and detach, stall switching;</li>
 *   <li>{@link FaultQueues}: the fault thread, which drains the event queue ({@link EventRouter}) and the PRI
 *       queue ({@link PriRouter}) and checks global errors ({@link GlobalErrors});</li>
 *   <li>{@link CommandQueue} and {@link PageResponses}: commands and CMD_SYNC, and the answers to stalls and page
 *       requests they carry.</li>
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class SmmuDriver implements IommuBackend, SmmuDomains, DrivenSmmu {
    private final Smmu smmu;
    private final Machine machine;
    private final FaultPipeline pipeline;
    private final LogSink log;
    private final String prefix;
    private final Bringup bringup;
    private final CommandQueue commands;
    private final EventPrinter printer;
    private final PageResponses responses;
    private final Streams streams;
    private final EventRouter eventRouter;
    private final PriRouter priRouter;
    private final FaultQueues faultQueues;
    private final TopologyListener topology = new TopologyListener() {
        @Override
        public void deviceAdded(DeviceNode node) {
            if (node.iommu().equals(smmu.name())) {
                streams.add(node, false);
            }
        }

        @Override
        public void deviceRemoved(DeviceNode node) {
            if (node.iommu().equals(smmu.name())) {
                streams.remove(node.id());
            }
        }
    };

    private IommuPort port;
    private boolean running;
    private boolean adopted;
    private volatile long lostResponses;

    public SmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline, DriverSettings settings, LogSink log,
            LongSupplier ticker) {
        this(smmu, machine, pipeline, settings, log, ticker, null, null);
    }

    /**
     * A driver whose fault threads are its own ({@code kicked} null), or, for a deterministic simulation, a driver
     * without threads: each interrupt (and the start) runs {@code kicked}, and the simulation's scheduler then calls
     * {@link #pass()} where the fault thread would run its pass; where a fresh fault thread would take over the
     * queues from one a handler holds, {@code successor} gets what that thread would run first, and runs it as a
     * thread of the simulation's.
     */
    public SmmuDriver(Smmu smmu, Machine machine, FaultPipeline pipeline, DriverSettings settings, LogSink log,
            LongSupplier ticker, Runnable kicked, Consumer<Runnable> successor) {
        this.smmu = smmu;
        this.machine = machine;
        this.pipeline = pipeline;
        this.log = log;
        this.prefix = "arm-smmu-v3 " + smmu.name() + ": ";
        FrameAllocator frames = machine.frames();
        long syncTimeoutNanos = TimeUnit.MILLISECONDS.toNanos(settings.syncTimeoutMillis());
        this.commands = new CommandQueue(smmu, prefix, log, syncTimeoutNanos);
        StreamTable streamTable = new StreamTable(smmu, frames, commands);
        QueueReader events = new QueueReader(smmu, SmmuRegisters.EVENTQ_PROD, SmmuRegisters.EVENTQ_CONS,
                EventRecord.BYTES);
        QueueReader pageRequests = new QueueReader(smmu, SmmuRegisters.PRIQ_PROD, SmmuRegisters.PRIQ_CONS,
                PriEntry.BYTES);
        this.bringup = new Bringup(smmu, settings, frames, commands, streamTable, events, pageRequests, log, prefix);
        this.printer = new EventPrinter(prefix, log, settings.printBurst(),
                TimeUnit.MILLISECONDS.toNanos(settings.printIntervalMillis()), ticker);
        this.responses = new PageResponses(commands);
        this.streams = new Streams(smmu.name(), prefix, log, smmu.memory(), frames, commands, streamTable, responses,
                this::drainForTeardown);
        this.eventRouter = new EventRouter(streams, responses, printer);
        this.priRouter = new PriRouter(streams, responses, printer);
        this.faultQueues = new FaultQueues(smmu.name(), prefix, log, smmu.memory(), events, pageRequests,
                eventRouter, priRouter, new GlobalErrors(smmu, commands, prefix, log), commands, syncTimeoutNanos,
                kicked, successor);
    }

    // ------------------------------------------------------------------ lifecycle

    /**
     * Brings the SMMU up, or takes it over from a previous driver if it is running, connects it to the core,
     * announces the devices behind it and starts the fault thread (which first drains what was queued meanwhile).
     *
     * @throws IllegalStateException if the core already has an IOMMU of this name
     */
    public synchronized void start() {
        if (smmu.memory() != machine.memory()) {
            throw new IllegalStateException(smmu.name() + " is not in machine " + machine.name() + "'s memory");
        }
        ProbedFeatures features = ProbedFeatures.read(smmu);
        int cr0 = smmu.read32(SmmuRegisters.CR0);
        int needed = SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_CMDQEN | SmmuRegisters.CR0_EVTQEN;
        adopted = (cr0 & needed) == needed;
        if (adopted) {
            features = bringup.adopt(features);
            log.info(prefix + "taking over a running SMMU; draining records queued meanwhile");
        } else {
            bringup.reset(features);
        }
        port = pipeline.connect(this);
        running = true;
        streams.open(features, port);
        for (DeviceNode node : machine.devicesBehind(smmu.name())) {
            streams.add(node, adopted);
        }
        machine.addTopologyListener(topology);
        faultQueues.start(port, features.priQueue());
        smmu.connectInterrupts(line -> faultQueues.kick());
        smmu.write32(SmmuRegisters.IRQ_CTRL, SmmuRegisters.IRQ_CTRL_EVTQ_IRQEN | SmmuRegisters.IRQ_CTRL_GERROR_IRQEN
                | (features.priQueue() ? SmmuRegisters.IRQ_CTRL_PRIQ_IRQEN : 0));
        faultQueues.kick();
    }

    /**
     * Stops the driver and leaves the SMMU running for a successor: interrupts off and the fault thread stopped
     * (records keep queueing in memory), then the core answers every pending group, through this driver's
     * command queue, and forgets the devices. STEs, CDs and queues stay as they are.
     */
    public void stop() {
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            streams.close();
            machine.removeTopologyListener(topology);
            smmu.write32(SmmuRegisters.IRQ_CTRL, 0);
            smmu.connectInterrupts(null);
        }
        faultQueues.stop();
        port.close();
        streams.clear();
    }

    /**
     * What the fault thread does after a kick, for a driver without threads: a pass, unless it stopped; {@code false}
     * if another actor holds the pass and nothing ran (kick again later).
     */
    public boolean pass() {
        return faultQueues.pass();
    }

    /** Drains the fault queues before the core hears of a change of owner (see {@link FaultQueues}). */
    private void drainForTeardown() {
        faultQueues.drainForTeardown();
    }

    /** Routes one event record as the fault thread does (for tests). */
    void handleEvent(long dw0, long dw1, long dw2, long dw3) {
        eventRouter.route(dw0, dw1, dw2, dw3);
    }

    /** Whether a teardown waits for the fault thread's pass over the queues (for tests). */
    boolean teardownWaitsForTheFaultThread() {
        return faultQueues.teardownWaiting();
    }

    // ------------------------------------------------------------------ SmmuDomains

    @Override
    public String iommuName() {
        return smmu.name();
    }

    @Override
    public List<DeviceId> devices() {
        return streams.devices();
    }

    @Override
    public void attachStage1(DeviceId device, int pasid, Domain domain, Stage1Tables tables) {
        streams.attachStage1(device, pasid, domain, tables);
    }

    @Override
    public void attachStage2(DeviceId device, Domain domain, Stage2Tables tables) {
        streams.attachStage2(device, domain, tables);
    }

    @Override
    public void attachNested(DeviceId device, Domain domain, GuestStage1 guest, Stage2Tables tables) {
        streams.attachNested(device, domain, guest, tables);
    }

    @Override
    public void detach(DeviceId device, int pasid) {
        streams.detach(device, pasid);
    }

    @Override
    public boolean canSwitchStall(DeviceId device) {
        return streams.canSwitchStall(device);
    }

    @Override
    public void setStall(DeviceId device, boolean stall) {
        streams.setStall(device, stall);
    }

    // ------------------------------------------------------------------ IommuBackend

    /** Unhandled faults are printed here, in the kernel's format (the core does not print them again). */
    @Override
    public boolean printsUnhandledFaults() {
        return true;
    }

    @Override
    public String name() {
        return smmu.name();
    }

    @Override
    public void sendPageResponse(DeviceId device, PageResponse response) {
        Stream s = streams.answering(device);
        if (s == null) {
            lostResponses++;
            log.error(prefix + "page response for unknown device " + device);
        } else if (!responses.send(s, response)) {
            lostResponses++;
            log.error(prefix + "page response for " + device + ", which neither stalls nor uses PRI");
        }
    }

    @Override
    public void reportingThreadBlocked() {
        faultQueues.reportingThreadBlocked();
    }

    // ------------------------------------------------------------------ statistics

    @Override
    public SmmuStatus status() {
        return new SmmuStatus(smmu.name(), streams.status(), smmu.stalledTransactions(), statistics(),
                smmu.statistics());
    }

    /** The driver's counters, for the shell and tests. */
    public DriverStatistics statistics() {
        long[] printed = printer.counts();
        long[] cmd = commands.failures();
        return new DriverStatistics(eventRouter.stallsReported(), priRouter.pageRequestsReported(),
                eventRouter.unrecoverableReported(), eventRouter.guestFaultsForwarded(),
                eventRouter.unassignedRecords() + priRouter.unassignedRecords(), priRouter.stopMarkers(),
                faultQueues.eventOverflows(), faultQueues.priOverflows(), faultQueues.malformedRecords(),
                printed[0], printed[1], lostResponses, cmd[0], cmd[1], adopted, faultQueues.teardownDrains(),
                faultQueues.teardownDrainsTimedOut(), streams.stallsTerminated(), faultQueues.reportsAbandoned(),
                faultQueues.threadsBlocked(), faultQueues.abandonsRefused());
    }
}
