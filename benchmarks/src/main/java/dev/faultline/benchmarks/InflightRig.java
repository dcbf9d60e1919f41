package dev.faultline.benchmarks;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.dma.PrgResponseReceiver;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.vtd.UnitConfiguration;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.smmuv3.standalone.StandaloneSmmu;
import dev.faultline.vtd.standalone.StandaloneVtd;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.LongConsumer;

/**
 * The whole fault path of {@link EndToEndRig}, with many faults in flight: {@code devices} devices behind one IOMMU,
 * each faulting on {@code pasids} PASIDs at once (a lane per device and PASID, each with its own address space,
 * domain and demand-paging handler). Every lane keeps one fault in flight: its device's access misses, the IOMMU
 * model queues a record (SMMUv3 event queue with the access stalled, SMMUv3 PRI queue, or VT-d page request
 * queue), the production driver's fault thread drains its queue in batches into the real core, the lane's handler
 * maps the page and answers SUCCESS inline, the driver writes the batch's response commands (one CMD_SYNC or
 * invalidation wait per batch), and the device resumes: a stalled access retries; a PRI function, on its PRG
 * response, issues its translation request again. The access completes, writes its data, and the lane goes back
 * to the benchmark thread ({@link #next()}), which unmaps the page and faults the lane again ({@link #fault(int)}).
 *
 * <p>The devices are the platform's own wire protocol driven without a thread per device: a stalling device
 * waits on its {@link DmaTransaction}; a PRI function sends its {@link PageRequestMessage} to the IOMMU's
 * {@link TranslationPort} and is connected for its {@link PrgResponseMessage}s, as {@code DmaDevice} is, without
 * blocking a thread for each. Backends are reached through their exported standalone entry points.
 */
final class InflightRig implements AutoCloseable {
    private static final long WAIT_NANOS = TimeUnit.SECONDS.toNanos(10);
    private static final long ADDRESS = 0x7f00_0040_1230L;
    private static final int PAGE_SIZE = 0x1000;

    private final EndToEndRig.Protocol protocol;
    private final StandaloneCore core;
    private final AutoCloseable driver;
    private final TranslationPort port;
    private final PhysicalMemory memory;
    private final Lane[] lanes;
    private final Completions completions;
    private long faults;

    /** One device and PASID with one fault in flight at a time. */
    private final class Lane implements Consumer<DmaTransaction> {
        final int index;
        final DmaAccess access;
        final PageRequestMessage pageRequest;
        final LongConsumer unmap;
        final long value;
        /** The lane's one transaction, reopened for each access as a device reuses a tag. */
        final DmaTransaction transaction;
        volatile PrgResponseCode response;

        Lane(int index, int groupIndex, DmaAccess access, LongConsumer unmap) {
            this.index = index;
            this.access = access;
            this.unmap = unmap;
            this.value = 0x1000_0000L + index;
            this.transaction = new DmaTransaction(access);
            // the device's Page Request for this lane's page: last of its group, group index = lane within device
            this.pageRequest = access.translationRequest()
                    ? new PageRequestMessage(access.requesterId(), access.pasid(), false, false, false, true, true,
                            groupIndex, access.pageAddress())
                    : null;
        }

        /**
         * The access, presented to the IOMMU in the lane's transaction (reopened once its last outcome is read); its
         * completion (now or later) hands the lane on.
         */
        void issue() {
            DmaTransaction tx = transaction;
            if (tx.outcome().isFinal()) {
                tx.reopen();
            }
            port.issue(tx).whenComplete(this);
        }

        /** The access's final outcome: a PRI function page-requests on NO_TRANSLATION, else the lane is done. */
        @Override
        public void accept(DmaTransaction tx) {
            if (tx.outcome() == TranslationOutcome.NO_TRANSLATION && response == null) {
                port.pageRequest(pageRequest);
                return;
            }
            completions.put(index);
        }

        /** The PRG response for this lane's group: Success retries the translation request. */
        void responded(PrgResponseCode code) {
            response = code;
            if (code == PrgResponseCode.SUCCESS) {
                issue();
            } else {
                completions.put(index);
            }
        }
    }

    /** The rig with {@code devices} devices faulting on {@code pasids} PASIDs each (PASID-less with 1 on a stall). */
    InflightRig(EndToEndRig.Protocol protocol, int devices, int pasids) {
        if (devices < 1 || devices > 16 || pasids < 1 || pasids > 32) {
            throw new IllegalArgumentException("1-16 devices and 1-32 PASIDs");
        }
        this.protocol = protocol;
        this.lanes = new Lane[devices * pasids];
        this.completions = new Completions(lanes.length);
        core = StandaloneCore.builder().start();
        try {
            if (protocol == EndToEndRig.Protocol.VTD_PRQ) {
                memory = new PhysicalMemory();
                FrameAllocator frames = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
                RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, 8, 1L << 40), memory);
                port = unit;
                StandaloneVtd vtd = StandaloneVtd.builder(unit, frames, core.pipeline()).start();
                driver = vtd;
                for (int d = 0; d < devices; d++) {
                    PciRequesterId rid = new PciRequesterId(0, 3 + d, 0, 0);
                    connect(rid.rid(), d * pasids);
                    for (int p = 0; p < pasids; p++) {
                        FirstLevelPageTable table = new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K);
                        int lane = d * pasids + p;
                        vtd.iommu().attach(rid, 1 + p, Domain.sva(domain(lane)), table.root());
                        long frame = frames.allocatePage();
                        handle(lane, page -> table.map(page, frame, PAGE_SIZE, PageProtection.READ_WRITE));
                        lanes[lane] = new Lane(lane, p, new DmaAccess(rid.rid(), 1 + p, address(lane), AccessType.WRITE,
                                false, 8, true), page -> table.unmap(page, PAGE_SIZE));
                    }
                }
            } else {
                boolean stall = protocol == EndToEndRig.Protocol.SMMUV3_STALL;
                Machine machine = Machine.create("bench", 0x4000_0000L, 0x1000_0000L);
                memory = machine.memory();
                Smmu smmu = new Smmu("smmuv3.0", SmmuFeatures.defaults(), memory);
                port = smmu;
                machine.addIommu(smmu);
                String[] nodes = new String[devices];
                for (int d = 0; d < devices; d++) {
                    nodes[d] = stall ? String.format("platform:gpu%d@smmuv3.0:0x%x:stall", d, 0x40 + d)
                            : String.format("0000:%02x:00.0@smmuv3.0:0x%x:pri", 3 + d, (3 + d) << 8);
                    machine.addDevice(DeviceNode.parse(nodes[d]));
                }
                StandaloneSmmu smmuDriver = StandaloneSmmu.builder(smmu, machine, core.pipeline())
                        .queueLog2(10, 10).start();
                driver = smmuDriver;
                for (int d = 0; d < devices; d++) {
                    DeviceId id = DeviceId.parse(nodes[d].substring(0, nodes[d].indexOf('@')));
                    int sid = stall ? 0x40 + d : (3 + d) << 8;
                    if (!stall) {
                        connect(sid, d * pasids);
                    }
                    for (int p = 0; p < pasids; p++) {
                        int lane = d * pasids + p;
                        int pasid = stall && pasids == 1 ? Pasid.NONE : 1 + p;
                        TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
                        smmuDriver.domains().attachStage1(id, pasid, Domain.sva(domain(lane)), table);
                        long frame = machine.frames().allocatePage();
                        handle(lane, page -> table.map(page, frame, PAGE_SIZE, Protection.READ_WRITE));
                        lanes[lane] = new Lane(lane, p, new DmaAccess(sid, pasid, address(lane), AccessType.WRITE, false,
                                8, !stall), page -> table.unmap(page, PAGE_SIZE));
                    }
                }
            }
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
    }

    private static String domain(int lane) {
        return "lane-" + lane;
    }

    private static long address(int lane) {
        return ADDRESS + (long) lane * 0x20_0000L; // each lane its own 2 MiB region
    }

    /** The demand-paging handler of a lane: maps the faulting page, answers SUCCESS, inline. */
    private void handle(int lane, LongConsumer map) {
        core.register((FaultGroup group) -> {
            map.accept(group.address(group.size() - 1) & ~0xfffL);
            group.respond(ResponseCode.SUCCESS);
        }, Map.of(HandlerProperties.DOMAIN, domain(lane)));
    }

    /** Connects a PRI function: its PRG responses go to the lane of its group index. */
    private void connect(int requesterId, int firstLane) {
        port.connect(requesterId, new PriFunction(firstLane));
    }

    /** A PRI function's end of the link: each PRG response, as its fields, to the lane of its group index. */
    private final class PriFunction implements PrgResponseReceiver {
        private final int firstLane;

        PriFunction(int firstLane) {
            this.firstLane = firstLane;
        }

        @Override
        public void receive(PrgResponseMessage response) {
            receive(response.destinationId(), response.pasid(), response.prgIndex(), response.responseCode());
        }

        @Override
        public void receive(int destinationId, int pasid, int prgIndex, int responseCode) {
            lanes[firstLane + prgIndex].responded(PrgResponseCode.of(responseCode));
        }
    }

    /** How many lanes (faults in flight). */
    int lanes() {
        return lanes.length;
    }

    /** Faults every lane once: from now on each has one fault in flight. */
    void startAll() {
        for (int i = 0; i < lanes.length; i++) {
            fault(i);
        }
    }

    /** Faults {@code lane} again: its page unmapped, its access issued. */
    void fault(int lane) {
        Lane l = lanes[lane];
        l.unmap.accept(l.access.pageAddress());
        l.response = null;
        l.issue();
    }

    /**
     * Waits for the next lane whose fault completed, checks that its access was translated after exactly one fault,
     * and performs its write to memory (what the device does once translated).
     *
     * @return the lane, ready to fault again
     * @throws IllegalStateException if no fault completed within 10 s or one did not complete as it should
     */
    int next() {
        int lane = completions.take(WAIT_NANOS);
        if (lane < 0) {
            throw new IllegalStateException(protocol + ": no fault completed within 10 s (" + faults + " so far)");
        }
        Lane l = lanes[lane];
        DmaTransaction tx = l.transaction;
        boolean pri = l.pageRequest != null;
        if (tx.outcome() != TranslationOutcome.TRANSLATED || (pri ? l.response != PrgResponseCode.SUCCESS
                : tx.stalls() != 1)) {
            throw new IllegalStateException(protocol + ": lane " + lane + " expected one fault and completion, got "
                    + tx + (pri ? " after " + l.response : ""));
        }
        memory.write64(tx.physicalAddress(), l.value);
        faults++;
        return lane;
    }

    /** Faults completed so far. */
    long faults() {
        return faults;
    }

    @Override
    public void close() {
        EndToEndRig.stop(driver, core);
    }
}
