package dev.faultline.demo.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.demo.StepResult;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.platform.x86.SecondLevelPageTable;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.smmuv3.Stage2Tables;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import dev.faultline.viommu.VirtualSmmuStatistics;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.VirtualPasidEntry;
import dev.faultline.viommu.VirtualSte;
import dev.faultline.viommu.VirtualVtd;
import dev.faultline.viommu.VirtualVtdOptions;
import dev.faultline.viommu.VirtualVtdStatistics;
import dev.faultline.vtd.GuestFirstLevel;
import dev.faultline.vtd.VtdIommu;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.osgi.service.log.LogReaderService;

/**
 * Two guests, each with a device whose stage-1 tables the guest owns (nested domains), and each reading its
 * faults from its virtual IOMMU ({@code viommu}):
 *
 * <ul>
 *   <li>an Arm guest programs its virtual SMMUv3 itself (stream table, CD, command and event queues in its RAM);
 *       its NIC VF behind the SMMUv3 writes to a page the guest mapped read-only and reads one it did not map: the
 *       guest reads two event records from its own event queue naming the VF's virtual stream id, with the reason
 *       its tables give (F_PERMISSION, F_TRANSLATION), built from the access's permissions and address alone;</li>
 *   <li>an x86 guest programs its virtual VT-d unit itself (scalable-mode tables, invalidation and page request
 *       queues in its RAM); its accelerator behind VT-d, nested over the host's second level, sends page
 *       requests (PASID 1) that the guest reads from its own page request queue: it maps the page it was asked
 *       for and answers Success, and refuses (Invalid Request) a write to a page its tables map read-only, with
 *       page group responses on its own invalidation queue.</li>
 * </ul>
 *
 * <p>Meanwhile the host's log is watched: no line may name a guest's device.
 *
 * <p><b>Size.</b> One class on purpose: the step reads top to bottom as the scenario of the two guests; the guests'
 * kernels and RAM are their own classes.
 */
final class GuestStep implements DemoStep {
    private static final String TITLE = "a guest receives its faults (nested SMMUv3 and VT-d, viommu)";
    private static final Duration DMA_TIMEOUT = Duration.ofSeconds(5);
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;
    private static final long GUEST_RAM = 1L << 20;
    // The Arm guest "vm1": its vSMMUv3 calls the VF stream 0x8.
    private static final String ARM_GUEST = "vm1";
    private static final DeviceId VF = DeviceId.parse(DemoTopology.GUEST_VF);
    private static final int VF_VIRTUAL_SID = 0x8;
    private static final long BUFFER = 0x4000_0000L;
    private static final long RING = 0x4001_0000L;
    private static final long UNMAPPED = 0x4002_0000L;

    // The x86 guest "vm2": its virtual VT-d unit sees the accelerator as 00:02.0.
    private static final String X86_GUEST = "vm2";
    private static final int ACCEL_VIRTUAL_RID = 0x0010;
    private static final int PASID = 1;
    /** The guest process's address space the accelerator shares: the guest pages it in on request. */
    private static final long AREA = 0x7f00_1000_0000L;
    private static final long AREA_SIZE = 1L << 20;
    /** A page of that area the guest maps read-only. */
    private static final long CONSTANTS = AREA + 0x8000;

    /** How host log lines would name the guests' devices (the SMMUv3 driver's lines name the stream id). */
    private static final List<String> GUEST_DEVICE_NAMES = Stream.of(names(DemoTopology.GUEST_VF),
            names(DemoTopology.GUEST_ACCEL), List.of(String.format("sid: %#x", DemoTopology.GUEST_VF_SID)))
            .flatMap(List::stream).toList();

    private final GuestCounts counts;

    GuestStep(GuestCounts counts) {
        this.counts = counts;
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public StepResult run(DemoServices services) throws Exception {
        Optional<VirtualIommus> viommus = services.await(VirtualIommus.class, null);
        Optional<LogReaderService> log = services.await(LogReaderService.class, null);
        Optional<Machine> machine = services.await(Machine.class, null);
        Optional<SmmuDomains> smmu = services.await(SmmuDomains.class, "(iommu.name=" + DemoTopology.SMMU + ")");
        Optional<TranslationPort> smmuPort = services.await(TranslationPort.class,
                "(iommu.name=" + DemoTopology.SMMU + ")");
        Optional<VtdIommu> vtd = services.await(VtdIommu.class,
                "(" + VtdIommu.NAME_PROPERTY + "=" + DemoTopology.DMAR + ")");
        Optional<TranslationPort> dmarPort = services.await(TranslationPort.class,
                "(iommu.name=" + DemoTopology.DMAR + ")");
        if (viommus.isEmpty() || log.isEmpty()) {
            return Checks.notRun(TITLE, "no virtual IOMMUs (viommu bundle) or no log service");
        }
        if (machine.isEmpty() || smmu.isEmpty() || smmuPort.isEmpty() || vtd.isEmpty() || dmarPort.isEmpty()) {
            return Checks.notRun(TITLE, "no SMMUv3 " + DemoTopology.SMMU + " and VT-d unit " + DemoTopology.DMAR
                    + " with their backends");
        }
        Checks checks = new Checks();
        try (HostLogWatch hostLog = new HostLogWatch(log.get(), GuestStep::namesAGuestDevice)) {
            armGuest(machine.get(), viommus.get(), smmu.get(), smmuPort.get(), checks);
            x86Guest(machine.get(), viommus.get(), vtd.get(), dmarPort.get(), checks);
            List<String> printed = hostLog.lines(services);
            counts.addHostPrints(printed.size());
            checks.expect(printed.isEmpty(), printed.size() + " host log lines about the guests' faults"
                    + (printed.isEmpty() ? "" : ", first: " + printed.get(0)));
        }
        return checks.result(TITLE);
    }

    /**
     * The Arm guest: its kernel programs its virtual SMMUv3 (stream table, CD, queues in its RAM); the VMM's
     * binder nested-attaches the VF as the guest's STE says; the VF's faults land in the guest's event queue.
     */
    private void armGuest(Machine machine, VirtualIommus viommus, SmmuDomains smmu, TranslationPort port,
            Checks checks) throws InterruptedException {
        // The guest kernel's side: a stage-1 table with a buffer and a read-only ring.
        GuestRam ram = new GuestRam(machine.frames(), GUEST_RAM);
        TranslationTable stage1 = TranslationTable.stage1(ram.frames(), 48);
        stage1.map(BUFFER, ram.frames().allocatePage(), PAGE, Protection.READ_WRITE);
        stage1.map(RING, ram.frames().allocatePage(), PAGE, Protection.READ | Protection.CACHE);
        // The VMM's side: stage 2 maps the guest's RAM; the guest's STEs reach the host through the binder.
        TranslationTable stage2 = TranslationTable.stage2(machine.frames(), 48);
        stage2.map(ram.base(), ram.base(), ram.size(), Protection.READ_WRITE);
        String domain = ARM_GUEST + "-vf";
        VirtualIommu guest = viommus.create(ARM_GUEST, Set.of(domain), ram);
        try {
            VirtualSmmuV3 vsmmu = viommus.createSmmuV3(guest, ram, (device, ste) -> {
                if (ste.mode() == VirtualSte.Mode.STAGE1) {
                    smmu.attachNested(device, Domain.nested(domain, ARM_GUEST), new GuestStage1(ste.contextTable(),
                            ste.s1Fmt(), ste.s1CdMax(), ste.s1Dss()), Stage2Tables.of(stage2));
                } else {
                    smmu.detach(device, Pasid.NONE);
                }
            });
            vsmmu.addStream(VF, VF_VIRTUAL_SID);
            ArmGuestKernel kernel = new ArmGuestKernel(ram, vsmmu);
            boolean programmed = kernel.probe() && kernel.attach(VF_VIRTUAL_SID, stage1);
            checks.expect(programmed, ARM_GUEST + " (Arm) programs its virtual SMMUv3: stream table, CD, command and"
                    + " event queues in its RAM, CMD_CFGI_STE + CMD_SYNC; the VMM attaches " + VF + " nested");
            try {
                DmaDevice vf = DmaDevice.of(domain, DemoTopology.GUEST_VF_SID, port, machine.memory());
                boolean works = vf.write(Pasid.NONE, BUFFER + 8, new byte[] {1}, DMA_TIMEOUT).completed()
                        && vf.read(Pasid.NONE, RING, 8, DMA_TIMEOUT).completed();
                checks.expect(works, "its VF writes its buffer and reads its ring through the guest's stage 1 over"
                        + " the host's stage 2");
                DmaStatus write = vf.write(Pasid.NONE, RING + 0x40, new byte[] {2}, DMA_TIMEOUT).status();
                DmaStatus read = vf.read(Pasid.NONE, UNMAPPED, 8, DMA_TIMEOUT).status();
                checks.expect(write == DmaStatus.ABORTED && read == DmaStatus.ABORTED,
                        "a write to the read-only ring and a read of an unmapped page abort");
                List<EventRecord> events = readEvents(vsmmu, kernel, 2);
                expectEvent(checks, events, 0, RING + 0x40, false, EventType.F_PERMISSION);
                expectEvent(checks, events, 1, UNMAPPED, true, EventType.F_TRANSLATION);
            } finally {
                smmu.detach(VF, Pasid.NONE);
            }
            GuestStatistics s = guest.statistics();
            counts.add(s);
            VirtualSmmuStatistics v = vsmmu.statistics();
            checks.expect(s.routed() == 2 && s.lost() == 0 && s.reasonDisagreements() == 0
                    && v.stesRefused() == 0 && v.commandErrors() == 0, s.routed() + " faults forwarded to "
                    + ARM_GUEST + ", " + s.lost() + " lost; its derived reasons agree with the SMMU's records ("
                    + s.reasonDisagreements() + " disagreements); " + v.commands() + " guest commands, "
                    + v.commandErrors() + " refused");
        } finally {
            guest.close();
        }
    }

    /**
     * The VMM's event thread writes the guest's events into its event queue; the guest's interrupt handler reads
     * them, until {@code count} records are read or the wait passes.
     */
    private static List<EventRecord> readEvents(VirtualSmmuV3 vsmmu, ArmGuestKernel kernel, int count)
            throws InterruptedException {
        List<EventRecord> events = new ArrayList<>();
        long deadline = System.nanoTime() + DMA_TIMEOUT.toNanos();
        while (events.size() < count && System.nanoTime() < deadline) {
            vsmmu.deliver(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            events.addAll(kernel.readEvents());
        }
        return events;
    }

    /** One record the guest read from its event queue, as expected. */
    private static void expectEvent(Checks checks, List<EventRecord> events, int index, long address, boolean read,
            EventType type) {
        if (events.size() <= index) {
            checks.expect(false, "event " + (index + 1) + " read by " + ARM_GUEST + " from its event queue: none");
            return;
        }
        EventRecord e = events.get(index);
        checks.expect(e.sid() == VF_VIRTUAL_SID && e.inputAddress() == address && e.read() == read
                && e.type() == type && !e.s2(), String.format("%s reads from its event queue %s (0x%02x) at 0x%x"
                + " %s, sid 0x%x: the reason its own stage 1 gives, nothing of the host's record",
                ARM_GUEST, e.type(), e.id(), e.inputAddress(), e.read() ? "[R]" : "[W]", e.sid()));
    }

    /**
     * The x86 guest: its kernel programs its virtual VT-d unit itself (root, context and PASID tables, invalidation
     * and page request queues in its RAM); the VMM's binder nested-attaches the accelerator's PASID as the guest's
     * PASID entry says (the guest's first level over the host's second level, which maps the guest's RAM); the
     * accelerator's page requests land in the guest's page request queue and the guest answers them with page
     * group responses on its invalidation queue.
     */
    private void x86Guest(Machine machine, VirtualIommus viommus, VtdIommu vtd, TranslationPort port,
            Checks checks) throws Exception {
        GuestRam ram = new GuestRam(machine.frames(), GUEST_RAM);
        FirstLevelPageTable table = new FirstLevelPageTable(ram.frames(), FirstLevelPageTable.PAGE_4K);
        table.map(CONSTANTS, ram.frames().allocatePage(), PAGE, PageProtection.READ_ONLY);
        SecondLevelPageTable secondLevel = new SecondLevelPageTable(machine.frames());
        secondLevel.map(ram.base(), ram.base(), ram.size(), true, true);
        PciRequesterId accelerator = PciRequesterId.ofRid(vtd.segment(), DemoTopology.GUEST_ACCEL_RID);
        String domain = X86_GUEST + "-accel";
        VirtualIommu guest = viommus.create(X86_GUEST, Set.of(domain), ram);
        ExecutorService dma = Executors.newSingleThreadExecutor(r -> new Thread(r, "demo-guest-dma"));
        try {
            VirtualVtd unit = viommus.createVtd(guest, ram, (device, pasid, entry) -> {
                if (entry.mode() == VirtualPasidEntry.Mode.FIRST_LEVEL) {
                    vtd.attachNested(accelerator, pasid, Domain.nested(domain, X86_GUEST), new GuestFirstLevel(
                            entry.firstLevelTable(), entry.supervisorRequests(), entry.writeProtect()),
                            secondLevel.root());
                } else {
                    vtd.detach(accelerator, pasid);
                }
            }, VirtualVtdOptions.STANDARD);
            unit.addDevice(accelerator, ACCEL_VIRTUAL_RID);
            X86GuestKernel kernel = new X86GuestKernel(ram, unit);
            boolean programmed = kernel.probe() && kernel.attach(ACCEL_VIRTUAL_RID, PASID, table.root());
            checks.expect(programmed, X86_GUEST + " (x86) programs its virtual VT-d unit: root, context and PASID"
                    + " tables, invalidation and page request queues in its RAM, its own invalidations; the VMM"
                    + " attaches " + accelerator + " nested over the host's second level");
            PriCapability pri = new PriCapability(32, true);
            pri.enable(); // the guest's PCI driver enables PRI
            DmaDevice device = DmaDevice.withPri(domain, DemoTopology.GUEST_ACCEL_RID, port, machine.memory(), pri);
            try {
                Future<DmaResult> read = dma.submit(() -> device.read(PASID, AREA + 0x1008, 8, DMA_TIMEOUT));
                PageRequestDescriptor first = pageRequest(unit, kernel);
                boolean firstAnswered = kernel.respond(first, page(table, ram, first));
                DmaResult firstResult = read.get(DMA_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
                checks.expect(first.requesterId() == ACCEL_VIRTUAL_RID && first.pasid() == PASID && first.read()
                        && firstAnswered && firstResult.completed(), String.format("%s reads a page request of its"
                        + " accelerator from its own page request queue (rid 0x%04x, PASID %d, read 0x%x), maps the"
                        + " page, answers SUCCESS with a page group response on its invalidation queue; the DMA %s", X86_GUEST,
                        first.requesterId(), first.pasid(), first.address(), firstResult.status()));
                Future<DmaResult> write = dma.submit(() -> device.write(PASID, CONSTANTS, new byte[] {3},
                        DMA_TIMEOUT));
                PageRequestDescriptor second = pageRequest(unit, kernel);
                boolean secondAnswered = kernel.respond(second, page(table, ram, second));
                DmaResult secondResult = write.get(DMA_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS);
                checks.expect(second.write() && secondAnswered
                        && secondResult.status() == DmaStatus.PAGE_REQUEST_INVALID, String.format("its request to"
                        + " write 0x%x, which its tables map read-only, answered INVALID (Invalid Request); the DMA %s",
                        second.address(), secondResult.status()));
            } finally {
                port.disconnect(DemoTopology.GUEST_ACCEL_RID);
                vtd.detach(accelerator, PASID);
            }
            GuestStatistics s = guest.statistics();
            counts.add(s);
            VirtualVtdStatistics v = unit.statistics();
            checks.expect(s.routed() == 2 && s.accepted() == 2 && s.rejectedAnswers() == 0 && s.pending() == 0
                    && v.responses() == 2 && v.entriesRefused() == 0 && v.descriptorErrors() == 0,
                    s.routed() + " page request groups forwarded to " + X86_GUEST + ", " + s.accepted()
                            + " answered by it through its invalidation queue; " + v.descriptors() + " guest"
                            + " descriptors, " + v.descriptorErrors() + " refused");
        } finally {
            dma.shutdownNow();
            guest.close();
        }
    }

    /**
     * The x86 guest's page fault handler: a page of its process's area that it has not mapped is mapped
     * read/write and the request answered Success; anything else (outside the area, or a write to a page it
     * maps read-only) is refused with Invalid Request.
     */
    private static int page(FirstLevelPageTable table, GuestRam ram, PageRequestDescriptor request) {
        long page = request.address() & -PAGE;
        if (page < AREA || page >= AREA + AREA_SIZE) {
            return PageGroupResponse.INVALID;
        }
        if (table.translate(page).isEmpty()) {
            table.map(page, ram.frames().allocatePage(), PAGE, PageProtection.READ_WRITE);
            return PageGroupResponse.SUCCESS;
        }
        return request.write() ? PageGroupResponse.INVALID : PageGroupResponse.SUCCESS;
    }

    /**
     * The VMM's event thread writes the guest's page requests into its queue; the guest's page request thread
     * reads them, until one is read or the wait passes.
     */
    private static PageRequestDescriptor pageRequest(VirtualVtd unit, X86GuestKernel kernel)
            throws InterruptedException {
        long deadline = System.nanoTime() + DMA_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            unit.deliver(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            List<PageRequestDescriptor> requests = kernel.readPageRequests();
            if (!requests.isEmpty()) {
                return requests.get(0);
            }
        }
        throw new IllegalStateException(X86_GUEST + " read no page request from its queue in " + DMA_TIMEOUT);
    }

    /** Whether a host log line names a guest's device, as the core, the SMMUv3 or the VT-d driver would. */
    private static boolean namesAGuestDevice(String line) {
        return GUEST_DEVICE_NAMES.stream().anyMatch(line::contains);
    }

    /** A device as the core ({@code 0000:07:00.0}) and Linux's DMAR lines ({@code [07:00.0]}) name it. */
    private static List<String> names(String device) {
        PciRequesterId id = PciRequesterId.parse(device);
        return List.of(device, String.format("[%02x:%02x.%d]", id.bus(), id.device(), id.function()));
    }
}
