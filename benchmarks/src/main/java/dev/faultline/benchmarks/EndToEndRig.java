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
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PriCapability;
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
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;

/**
 * The whole fault path on the simulated machine: a device's DMA access misses in the IOMMU model's table walk;
 * the model queues a record (SMMUv3 event queue with the transaction stalled, SMMUv3 PRI queue, or VT-d page
 * request queue) and raises its interrupt; the production driver's fault thread reads it and reports it to the
 * real core; the core calls a demand-paging handler that maps the page and answers {@code SUCCESS}; the driver
 * writes the response command (CMD_RESUME, CMD_PRI_RESP, page group response); the device retries and the access
 * completes. Each {@link #faultOnce()} is one such fault; the page is unmapped again afterwards (the models cache
 * no translations, so no invalidation is needed).
 *
 * <p>With a blocked neighbour, a second device behind the same IOMMU faulted once at the start into a handler that
 * blocks until {@link #close()}: the measured device then goes on through the fresh fault thread the backend
 * started when the core found that call blocked.
 */
final class EndToEndRig implements AutoCloseable {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final long ADDRESS = 0x7f00_0040_1230L;
    private static final long PAGE = ADDRESS & ~0xfffL;
    private static final int PAGE_SIZE = 0x1000;
    private static final String DOMAIN = "bench-process";
    private static final String NEIGHBOUR = "blocked-neighbour";

    /** The hardware path. */
    enum Protocol {
        /** An SMMUv3 stream with stall faults: event record, CMD_RESUME. */
        SMMUV3_STALL,
        /** A PCIe function with PRI behind an SMMUv3: PRI queue entry, CMD_PRI_RESP, PRG response. */
        SMMUV3_PRI,
        /** A PCIe function with PRI behind a VT-d unit: page request descriptor, page group response. */
        VTD_PRQ;

        /** The protocol named {@code smmuv3-stall}, {@code smmuv3-pri} or {@code vtd-prq}. */
        static Protocol parse(String name) {
            return valueOf(name.toUpperCase(Locale.ROOT).replace('-', '_'));
        }
    }

    private final Protocol protocol;
    private final StandaloneCore core;
    private final AutoCloseable driver;
    private final DmaDevice device;
    private final int pasid;
    private final LongConsumer unmap;
    private final byte[] data = {1, 2, 3, 4};
    private final CountDownLatch neighbourRelease = new CountDownLatch(1);
    private final CountDownLatch neighbourBlocks = new CountDownLatch(1);
    private Thread neighbourAccess;

    EndToEndRig(Protocol protocol) {
        this(protocol, false);
    }

    /** The rig, with a neighbour device whose handler blocks until {@link #close()} if {@code blockedNeighbour}. */
    EndToEndRig(Protocol protocol, boolean blockedNeighbour) {
        this.protocol = protocol;
        core = StandaloneCore.builder().start();
        try {
            DmaDevice neighbour;
            int neighbourPasid;
            LongConsumer map;
            if (protocol == Protocol.VTD_PRQ) {
                PhysicalMemory memory = new PhysicalMemory();
                FrameAllocator frames = new FrameAllocator(memory, 0x4000_0000L, 0x1000_0000L);
                RemappingUnit unit = new RemappingUnit(UnitConfiguration.standard("dmar0", 0, 8, 1L << 40), memory);
                StandaloneVtd vtd = StandaloneVtd.builder(unit, frames, core.pipeline()).start();
                driver = vtd;
                PciRequesterId gpu = new PciRequesterId(0, 3, 0, 0);
                pasid = 5;
                FirstLevelPageTable table = new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K);
                vtd.iommu().attach(gpu, pasid, Domain.sva(DOMAIN), table.root());
                long frame = frames.allocatePage();
                map = page -> table.map(page, frame, PAGE_SIZE, PageProtection.READ_WRITE);
                unmap = page -> table.unmap(page, PAGE_SIZE);
                device = DmaDevice.withPri("gpu", gpu.rid(), unit, memory, enabledPri(64));
                PciRequesterId nic = new PciRequesterId(0, 4, 0, 0);
                neighbourPasid = pasid;
                vtd.iommu().attach(nic, neighbourPasid, Domain.sva(NEIGHBOUR),
                        new FirstLevelPageTable(frames, FirstLevelPageTable.PAGE_4K).root());
                neighbour = DmaDevice.withPri("nic", nic.rid(), unit, memory, enabledPri(64));
            } else {
                Machine machine = Machine.create("bench", 0x4000_0000L, 0x1000_0000L);
                Smmu smmu = new Smmu("smmuv3.0", SmmuFeatures.defaults(), machine.memory());
                machine.addIommu(smmu);
                boolean stall = protocol == Protocol.SMMUV3_STALL;
                String node = stall ? "platform:gpu0@smmuv3.0:0x42:stall" : "0000:03:00.0@smmuv3.0:0x300:pri";
                machine.addDevice(DeviceNode.parse(node));
                String neighbourNode = stall ? "platform:gpu1@smmuv3.0:0x43:stall" : "0000:04:00.0@smmuv3.0:0x400:pri";
                machine.addDevice(DeviceNode.parse(neighbourNode));
                StandaloneSmmu smmuDriver = StandaloneSmmu.builder(smmu, machine, core.pipeline()).start();
                driver = smmuDriver;
                DeviceId id = DeviceId.parse(node.substring(0, node.indexOf('@')));
                pasid = stall ? Pasid.NONE : 5;
                TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
                smmuDriver.domains().attachStage1(id, pasid, Domain.sva(DOMAIN), table);
                long frame = machine.frames().allocatePage();
                map = page -> table.map(page, frame, PAGE_SIZE, Protection.READ_WRITE);
                unmap = page -> table.unmap(page, PAGE_SIZE);
                device = stall ? DmaDevice.of("gpu0", 0x42, smmu, machine.memory())
                        : DmaDevice.withPri("nic", 0x300, smmu, machine.memory(), enabledPri(32));
                neighbourPasid = pasid;
                smmuDriver.domains().attachStage1(DeviceId.parse(neighbourNode.substring(0, neighbourNode.indexOf('@'))),
                        neighbourPasid, Domain.sva(NEIGHBOUR), TranslationTable.stage1(machine.frames(), 48));
                neighbour = stall ? DmaDevice.of("gpu1", 0x43, smmu, machine.memory())
                        : DmaDevice.withPri("nic1", 0x400, smmu, machine.memory(), enabledPri(32));
            }
            core.register(group -> pageIn(group, map), Map.of(HandlerProperties.DOMAIN, DOMAIN));
            if (blockedNeighbour) {
                blockNeighbour(neighbour, neighbourPasid);
            }
        } catch (RuntimeException e) {
            core.close();
            throw e;
        }
    }

    /** Faults the neighbour once into a handler that blocks until {@link #close()}, and waits until it does. */
    private void blockNeighbour(DmaDevice neighbour, int neighbourPasid) {
        core.register(group -> {
            neighbourBlocks.countDown();
            try {
                neighbourRelease.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, Map.of(HandlerProperties.DOMAIN, NEIGHBOUR));
        neighbourAccess = new Thread(() -> neighbour.read(neighbourPasid, ADDRESS, 8, WAIT), "blocked-neighbour");
        neighbourAccess.setDaemon(true);
        neighbourAccess.start();
        try {
            if (!neighbourBlocks.await(WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException(protocol + ": the neighbour's fault did not reach its handler");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static PriCapability enabledPri(int capacity) {
        PriCapability pri = new PriCapability(capacity, true);
        pri.enable();
        return pri;
    }

    /** The demand-paging handler: maps the faulting page, answers SUCCESS, inline. */
    private static void pageIn(FaultGroup group, LongConsumer map) {
        map.accept(group.address(group.size() - 1) & ~0xfffL);
        group.respond(ResponseCode.SUCCESS);
    }

    /**
     * One fault, from the access to its completion.
     *
     * @throws IllegalStateException if the access did not fault exactly once and then complete
     */
    DmaResult faultOnce() {
        DmaResult r = device.write(pasid, ADDRESS, data, WAIT);
        unmap.accept(PAGE);
        if (r.status() != DmaStatus.COMPLETED || r.stalls() + r.pageRequests() != 1) {
            throw new IllegalStateException(protocol + ": expected one fault and completion, got " + r);
        }
        return r;
    }

    @Override
    public void close() {
        neighbourRelease.countDown();
        try {
            if (neighbourAccess != null) {
                neighbourAccess.join(WAIT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        stop(driver, core);
    }

    /** Stops a rig's driver, then its core (also when the driver fails to stop). */
    static void stop(AutoCloseable driver, StandaloneCore core) {
        try {
            driver.close();
        } catch (Exception e) {
            throw new IllegalStateException("driver did not stop", e);
        } finally {
            core.close();
        }
    }
}
