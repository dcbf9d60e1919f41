package dev.faultline.itests.viommu;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.itests.Services;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.viommu.AnswerOutcome;
import dev.faultline.viommu.ArmStage1Context;
import dev.faultline.viommu.ArmStage1Fault;
import dev.faultline.viommu.FirstLevelContext;
import dev.faultline.viommu.FirstLevelFault;
import dev.faultline.viommu.GuestEvent;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.GuestMemoryWindow;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.LostEvents;
import dev.faultline.viommu.PageRequestEvent;
import dev.faultline.viommu.UnrecoverableEvent;
import dev.faultline.viommu.VirtualIommu;
import dev.faultline.viommu.VirtualIommus;
import dev.faultline.viommu.VirtualSmmuV3;
import dev.faultline.viommu.VirtualSte;
import dev.faultline.vtd.VtdIommu;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogEntry;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;
import org.osgi.test.common.service.ServiceAware;

/**
 * Guests' virtual IOMMUs in Felix with the core, the platform and both backends: real DMA of guest devices
 * through an SMMUv3 (nested, guest stage 1 over host stage 2) and a VT-d unit (guest first-level tables),
 * reaching each guest through the core and the {@code VirtualIommus} service, never the host log. One guest
 * floods; the other's faults are delivered and correct all along.
 */
class ViommuOSGiTest {
    private static final String SMMU = "smmuv3.0";
    private static final String DMAR = "dmar0";
    private static final DeviceId FLOODER = DeviceId.parse("0000:0a:00.0");
    private static final DeviceId QUIET = DeviceId.parse("0000:0b:00.0");
    private static final DeviceId STALLER = DeviceId.parse("0000:0b:01.0");
    private static final PciRequesterId PRI_DEVICE = PciRequesterId.parse("0000:0c:00.0");
    private static final PciRequesterId VTD_DEVICE = PciRequesterId.parse("0000:0d:00.0");
    private static final int VSID_FLOODER = 0x10;
    private static final int VSID_QUIET = 0x20;
    private static final int VSID_STALLER = 0x21;
    private static final int PASID = 5;
    private static final Duration WAIT = Duration.ofSeconds(20);
    private static final GuestLimits LIMITS = new GuestLimits(8, 8, 0, 1, 0);

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService(timeout = 20_000)
    VirtualIommus viommus;

    @InjectService
    LogReaderService logReader;

    @InjectService(cardinality = 0)
    ServiceAware<Machine> machines;

    @InjectService(cardinality = 0, filter = "(iommu.name=" + SMMU + ")")
    ServiceAware<SmmuDomains> smmuDomains;

    @InjectService(cardinality = 0, filter = "(" + VtdIommu.NAME_PROPERTY + "=" + DMAR + ")")
    ServiceAware<VtdIommu> vtd;

    @InjectService(cardinality = 0, filter = "(iommu.name=" + SMMU + ")")
    ServiceAware<TranslationPort> smmuPort;

    @InjectService(cardinality = 0, filter = "(iommu.name=" + DMAR + ")")
    ServiceAware<TranslationPort> dmarPort;

    private Machine machine;
    private final List<VirtualIommu> guests = new ArrayList<>();
    private final List<String> hostLog = new CopyOnWriteArrayList<>();
    private final LogListener listener = (LogEntry entry) -> hostLog.add(entry.getBundle().getSymbolicName() + ": "
            + entry.getMessage());
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private PrintStream stdout;
    private PrintStream stderr;

    @BeforeEach
    void deploy() throws Exception {
        Services.factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        Services.factory(admin, "dev.faultline.platform.vtd", "name", Map.of("name", DMAR));
        machine = machines.waitForService(TimeUnit.SECONDS.toMillis(20));
        Services.plug(context, FLOODER + "@" + SMMU + ":0xa00");
        Services.plug(context, QUIET + "@" + SMMU + ":0xb00");
        Services.plug(context, STALLER + "@" + SMMU + ":0xb08:stall");
        Services.plug(context, PRI_DEVICE + "@" + DMAR + ":0xc00:pri");
        Services.plug(context, VTD_DEVICE + "@" + DMAR + ":0xd00");
        Services.await(() -> smmuDomains().devices().containsAll(List.of(FLOODER, QUIET, STALLER)));
        assertThat(vtd.waitForService(TimeUnit.SECONDS.toMillis(20))).isNotNull();
        logReader.addLogListener(listener);
        stdout = System.out;
        stderr = System.err;
        PrintStream capture = new PrintStream(console, true);
        System.setOut(capture);
        System.setErr(capture);
    }

    @AfterEach
    void closeGuests() {
        System.setOut(stdout);
        System.setErr(stderr);
        logReader.removeLogListener(listener);
        guests.forEach(VirtualIommu::close);
    }

    // ---- SMMUv3: two guests, one flooding -----------------------------------------------------------

    @Test
    void aFloodingGuestLosesOnlyItsOwnEventsExactlyCountedWhileTheOtherGetsEveryFaultRightAndNothingIsPrinted()
            throws InterruptedException {
        GuestRam ramA = new GuestRam(machine, false);
        GuestRam ramB = new GuestRam(machine, false);
        VirtualIommu a = guest("vm-a", "vm-a-nic", ramA.window, LIMITS);
        VirtualIommu b = guest("vm-b", "vm-b-nic", ramB.window, LIMITS);
        nested(a, FLOODER, VSID_FLOODER, "vm-a-nic", ramA);
        nested(b, QUIET, VSID_QUIET, "vm-b-nic", ramB);
        long mappedForB = 0x40_0000L;
        ramB.map(mappedForB);
        DmaDevice flooder = DmaDevice.of("flooder", 0xa00, port(SMMU), machine.memory());
        DmaDevice quiet = DmaDevice.of("quiet", 0xb00, port(SMMU), machine.memory());

        int floods = 0;
        for (int round = 0; round < 20; round++) {
            for (int i = 0; i < 50; i++, floods++) {
                assertThat(flooder.read(Pasid.NONE, 0x1000_0000L + floods * 0x1000L, 4, WAIT).status())
                        .isEqualTo(DmaStatus.ABORTED);
            }
            int routed = floods;
            Services.await(() -> a.statistics().routed() == routed);

            long address = 0x7f00_0000_0000L + round * 0x1000L;
            assertThat(quiet.write(Pasid.NONE, address, new byte[] {1}, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
            // routed is counted as the fault reaches the vIOMMU, before its event is queued: wait for the event
            List<GuestEvent> got = b.poll(8, WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(b.statistics().routed()).isEqualTo(routed / 50);
            assertThat(got).as("round %d: the quiet guest's fault, and nothing else", round).hasSize(1);
            UnrecoverableEvent event = (UnrecoverableEvent) got.get(0);
            assertThat(event.sequence()).isEqualTo(round);
            assertThat(event.virtualDevice()).isEqualTo(VSID_QUIET);
            assertThat(event.address()).isEqualTo(address);
            assertThat(event.permissions().write()).isTrue();
            assertThat(event.reason()).isEqualTo(ArmStage1Fault.TRANSLATION);
            EventRecord record = EventRecord.decode(event.virtualRecord().words());
            assertThat(record.sid()).as("the virtual stream id, not 0xb00").isEqualTo(VSID_QUIET);
            assertThat(record.id()).isEqualTo(0x10);
            assertThat(record.inputAddress()).isEqualTo(address);
            assertThat(event.virtioFault().linuxMessage()).isEqualTo(
                    "page fault from EP 32 at 0x" + Long.toHexString(address) + " [W]");
        }
        assertThat(quiet.read(Pasid.NONE, mappedForB, 4, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);

        Services.await(() -> a.statistics().delivered() + a.statistics().lost() == 1000);
        GuestStatistics sa = a.statistics();
        assertThat(sa.routed()).isEqualTo(1000);
        assertThat(sa.delivered()).as("its queue depth").isEqualTo(8);
        assertThat(sa.lost()).isEqualTo(992);
        List<GuestEvent> backlog = a.poll(100);
        assertThat(backlog).hasSize(9);
        assertThat(backlog.get(8)).isEqualTo(new LostEvents(8, 992));
        assertThat(((UnrecoverableEvent) backlog.get(0)).reason()).isEqualTo(ArmStage1Fault.TRANSLATION);
        GuestStatistics sb = b.statistics();
        assertThat(sb.lost()).isZero();
        assertThat(sb.delivered()).isEqualTo(20);
        assertThat(sb.reasonDisagreements()).isZero();
        assertThat(hostLog).as("no host log line for guest faults").noneMatch(l -> l.contains("event 0x")
                || l.contains("0xa00") || l.contains("0xb00") || l.contains(FLOODER.toString())
                || l.contains(QUIET.toString()));
        assertThat(console.toString()).as("nothing printed to the console").isEmpty();
    }

    @Test
    void aStallIsTheGuestsToAnswerOnlyOnceOnlyWithAValidCodeAndNeverByAnotherGuest() throws Exception {
        GuestRam ramA = new GuestRam(machine, false);
        GuestRam ramB = new GuestRam(machine, true);
        VirtualIommu a = guest("vm-a", "vm-a-nic", ramA.window, LIMITS);
        VirtualIommu b = guest("vm-b", "vm-b-gpu", ramB.window, LIMITS);
        nested(a, FLOODER, VSID_FLOODER, "vm-a-nic", ramA);
        nested(b, STALLER, VSID_STALLER, "vm-b-gpu", ramB);
        DmaDevice gpu = DmaDevice.of("staller", 0xb08, port(SMMU), machine.memory());
        long va = 0x5000_0000L;
        DmaTransaction stalled = gpu.start(new DmaAccess(0xb08, Pasid.NONE, va + 0x10, AccessType.WRITE, false, 4,
                false));

        PageRequestEvent request = (PageRequestEvent) awaitEvent(b);
        assertThat(request.virtualDevice()).isEqualTo(VSID_STALLER);
        assertThat(request.last().address()).isEqualTo(va + 0x10);
        assertThat(request.last().permissions().write()).isTrue();
        int cookie = request.cookie();
        assertThat(a.respond(cookie, 0)).as("another guest's answer").isEqualTo(AnswerOutcome.FORGED);
        assertThat(b.respond(cookie + 1, 0)).isEqualTo(AnswerOutcome.FORGED);
        assertThat(b.respond(cookie, 2)).as("FAILURE is not a guest's to give").isEqualTo(AnswerOutcome.INVALID_CODE);
        assertThat(stalled.outcome()).isEqualTo(TranslationOutcome.STALLED);

        long page = ramB.map(va);
        assertThat(b.respond(cookie, 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(stalled.await(20, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(stalled.physicalAddress()).isEqualTo(ramB.window.hostAddress(page) + 0x10);
        assertThat(b.respond(cookie, 0)).isEqualTo(AnswerOutcome.REPLAYED);
        GuestStatistics sb = b.statistics();
        assertThat(sb.accepted()).isEqualTo(1);
        assertThat(sb.forged()).isEqualTo(1);
        assertThat(sb.invalidCode()).isEqualTo(1);
        assertThat(sb.replayed()).isEqualTo(1);
        assertThat(a.statistics().forged()).isEqualTo(1);
    }

    @Test
    void aGuestThatGoesAwayHasEveryGroupItHeldAnsweredInvalidAtOnce() throws Exception {
        GuestRam ram = new GuestRam(machine, true);
        VirtualIommu b = guest("vm-b", "vm-b-gpu", ram.window, LIMITS);
        nested(b, STALLER, VSID_STALLER, "vm-b-gpu", ram);
        DmaDevice gpu = DmaDevice.of("staller", 0xb08, port(SMMU), machine.memory());
        DmaTransaction read = gpu.start(new DmaAccess(0xb08, Pasid.NONE, 0x6000_0000L, AccessType.READ, false, 4,
                false));
        PageRequestEvent seen = (PageRequestEvent) awaitEvent(b);
        DmaTransaction unread = gpu.start(new DmaAccess(0xb08, Pasid.NONE, 0x6000_1000L, AccessType.READ, false, 4,
                false));
        Services.await(() -> b.statistics().pending() == 2);

        b.close();

        assertThat(read.await(20, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(unread.await(20, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(b.statistics().answeredForGuest()).isEqualTo(2);
        assertThat(b.respond(seen.cookie(), 0)).isEqualTo(AnswerOutcome.GUEST_CLOSED);
        assertThat(viommus.guest("vm-b")).isEmpty();
        assertThat(handlersOf("vm-b-gpu")).isEmpty();
    }

    @Test
    void anAnswerAfterTheCoresDeadlineIsRejectedAsLate() throws Exception {
        GuestRam ram = new GuestRam(machine, true);
        VirtualIommu b = guest("vm-b", "vm-b-gpu", ram.window, LIMITS.withResponseTimeoutMs(200));
        nested(b, STALLER, VSID_STALLER, "vm-b-gpu", ram);
        assertThat(handlersOf("vm-b-gpu")).singleElement().satisfies(ref ->
                assertThat(ref.getProperty(HandlerProperties.TIMEOUT_MS)).isEqualTo(200L));
        DmaDevice gpu = DmaDevice.of("staller", 0xb08, port(SMMU), machine.memory());
        DmaTransaction stalled = gpu.start(new DmaAccess(0xb08, Pasid.NONE, 0x6100_0000L, AccessType.READ, false, 4,
                false));
        PageRequestEvent request = (PageRequestEvent) awaitEvent(b);

        assertThat(stalled.await(20, TimeUnit.SECONDS)).as("the core answered INVALID at the deadline")
                .isEqualTo(TranslationOutcome.ABORTED);
        assertThat(b.respond(request.cookie(), 0)).isEqualTo(AnswerOutcome.LATE);
        assertThat(b.statistics().late()).isEqualTo(1);
        assertThat(b.statistics().accepted()).isZero();
    }

    // ---- SMMUv3: a guest that programs its virtual SMMUv3 -------------------------------------------------

    @Test
    void aGuestProgramsItsVirtualSmmuV3AndAnswersItsDevicesStallWithCmdResumeFromItsOwnQueues() throws Exception {
        GuestRam ram = new GuestRam(machine, true);
        VirtualIommu b = guest("vm-b", "vm-b-gpu", ram.window, LIMITS);
        VirtualSmmuV3 vsmmu = viommus.createSmmuV3(b, ram.window, (device, ste) -> {
            if (ste.mode() == VirtualSte.Mode.STAGE1) {
                smmuDomains().attachNested(device, Domain.nested("vm-b-gpu", "vm-b"), new GuestStage1(
                        ste.contextTable(), ste.s1Fmt(), ste.s1CdMax(), ste.s1Dss()), ram.stage2);
            } else {
                smmuDomains().detach(device, Pasid.NONE);
            }
        });
        vsmmu.addStream(STALLER, VSID_STALLER);
        // the guest kernel: stream table, command and event queues in its RAM; the STE points at its CD (IPA 0)
        long strtab = ram.frame();
        long cmdq = ram.frame();
        long evtq = ram.frame();
        vsmmu.write64(SmmuRegisters.STRTAB_BASE, strtab);
        vsmmu.write32(SmmuRegisters.STRTAB_BASE_CFG, 6);
        vsmmu.write64(SmmuRegisters.CMDQ_BASE, cmdq | 8);
        vsmmu.write64(SmmuRegisters.EVENTQ_BASE, evtq | 7);
        int enables = SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_EVTQEN | SmmuRegisters.CR0_CMDQEN;
        vsmmu.write32(SmmuRegisters.CR0, enables);
        assertThat(vsmmu.read32(SmmuRegisters.CR0ACK)).isEqualTo(enables);
        long[] ste = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS).contextTable(0, 0, 0)
                .stage1Controls(StreamTableEntry.S1DSS_TERMINATE, false, 0).build().encode();
        for (int i = 0; i < ste.length; i++) {
            ram.write(strtab + 64L * VSID_STALLER + 8L * i, ste[i]);
        }
        int[] prod = {0};
        submit(vsmmu, ram, cmdq, prod, Command.ConfigInvalidation.ste(VSID_STALLER), Command.Sync.sev());
        assertThat(vsmmu.statistics().stesInstalled()).isEqualTo(1);

        DmaDevice gpu = DmaDevice.of("staller", 0xb08, port(SMMU), machine.memory());
        long va = 0x5000_0000L;
        DmaTransaction stalled = gpu.start(new DmaAccess(0xb08, Pasid.NONE, va + 0x10, AccessType.WRITE, false, 4,
                false));
        Services.await(() -> {
            try {
                return vsmmu.deliver(100, TimeUnit.MILLISECONDS) == 1;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(vsmmu.read32(SmmuRegisters.EVENTQ_PROD)).isEqualTo(1);
        EventRecord record = EventRecord.decode(ram.read(evtq), ram.read(evtq + 8), ram.read(evtq + 16),
                ram.read(evtq + 24));
        vsmmu.write32(SmmuRegisters.EVENTQ_CONS, 1);
        assertThat(record.stall()).isTrue();
        assertThat(record.sid()).as("the virtual StreamID, not 0xb08").isEqualTo(VSID_STALLER);
        assertThat(record.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(record.inputAddress()).isEqualTo(va + 0x10);
        assertThat(record.read()).isFalse();
        assertThat(stalled.outcome()).isEqualTo(TranslationOutcome.STALLED);

        submit(vsmmu, ram, cmdq, prod, new Command.Resume(VSID_STALLER, record.stag() ^ 1, true, false));
        assertThat(vsmmu.statistics().resumesRefused()).as("a STAG the guest was never shown").isEqualTo(1);
        long page = ram.map(va);
        submit(vsmmu, ram, cmdq, prod, new Command.Resume(record.sid(), record.stag(), true, false));
        assertThat(stalled.await(20, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(stalled.physicalAddress()).isEqualTo(ram.window.hostAddress(page) + 0x10);
        assertThat(b.statistics().accepted()).isEqualTo(1);
        assertThat(vsmmu.statistics().commandErrors()).isZero();
        assertThat(hostLog).noneMatch(l -> l.contains("0xb08") || l.contains(STALLER.toString()));
        assertThat(console.toString()).isEmpty();
    }

    /** The guest's driver writes commands at its PROD and publishes it; the virtual SMMU consumes them at once. */
    private static void submit(VirtualSmmuV3 vsmmu, GuestRam ram, long cmdq, int[] prod, Command... commands) {
        for (Command c : commands) {
            long slot = cmdq + 16L * (prod[0] & 0xff);
            ram.write(slot, c.dw0());
            ram.write(slot + 8, c.dw1());
            prod[0] = (prod[0] + 1) & 0x1ff;
        }
        vsmmu.write32(SmmuRegisters.CMDQ_PROD, prod[0]);
        assertThat(vsmmu.read32(SmmuRegisters.CMDQ_CONS)).isEqualTo(prod[0]);
    }

    // ---- VT-d: page requests and fault records of a guest's first-level tables --------------------------

    @Test
    void aVtdGuestAnswersItsPageRequestsAndGetsVirtualFaultRecordsWithTheReasonItsTablesGive() throws Exception {
        long base = machine.frames().allocate(GuestRam.SIZE, 2L << 20);
        FirstLevelPageTable table = new FirstLevelPageTable(new dev.faultline.platform.memory.FrameAllocator(
                machine.memory(), base, GuestRam.SIZE), FirstLevelPageTable.PAGE_4K);
        GuestMemoryWindow identity = new GuestMemoryWindow(machine.memory(), 0, base + GuestRam.SIZE);
        VirtualIommu c = guest("vm-c", Set.of("vm-c-acc", "vm-c-vf"), identity);
        c.addDevice(PRI_DEVICE, 0x0100);
        c.addDevice(VTD_DEVICE, 0x0108);
        c.setStage1(0x0100, PASID, FirstLevelContext.user(table.root()));
        c.setStage1(0x0108, Pasid.NONE, FirstLevelContext.user(table.root()));
        VtdIommu unit = vtd.getService();
        unit.attach(PRI_DEVICE, PASID, Domain.nested("vm-c-acc", "vm-c"), table.root());
        unit.attach(VTD_DEVICE, Pasid.NONE, Domain.nested("vm-c-vf", "vm-c"), table.root());

        PriCapability pri = new PriCapability(64, true);
        pri.enable();                                            // the guest's PCI driver enables PRI
        DmaDevice accelerator = DmaDevice.withPri("acc", PRI_DEVICE.rid(), port(DMAR), machine.memory(), pri);
        long va = 0x7f00_0040_1000L;
        CompletableFuture<DmaResult> write = CompletableFuture.supplyAsync(
                () -> accelerator.write(PASID, va + 8, new byte[] {7}, WAIT));
        PageRequestEvent request = (PageRequestEvent) awaitEvent(c);
        assertThat(request.virtualDevice()).isEqualTo(0x0100);
        assertThat(request.last().pasid()).isEqualTo(PASID);
        assertThat(request.last().address()).isEqualTo(va);
        long frame = machine.frames().allocatePage();
        table.map(va, frame, 0x1000, dev.faultline.platform.x86.PageProtection.READ_WRITE);
        assertThat(c.respond(request.cookie(), 0)).isEqualTo(AnswerOutcome.ACCEPTED);
        assertThat(write.get(20, TimeUnit.SECONDS).status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(machine.memory().read8(frame + 8)).isEqualTo(7);

        DmaDevice vf = DmaDevice.of("vf", VTD_DEVICE.rid(), port(DMAR), machine.memory());
        assertThat(vf.write(Pasid.NONE, va, new byte[] {1}, WAIT).status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(vf.read(Pasid.NONE, 0x1234_5000L, 4, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
        UnrecoverableEvent fault = (UnrecoverableEvent) awaitEvent(c);
        assertThat(fault.virtualDevice()).isEqualTo(0x0108);
        assertThat(fault.reason()).isEqualTo(FirstLevelFault.NOT_PRESENT);
        FaultRecord record = FaultRecord.decode(fault.virtualRecord().word(0), fault.virtualRecord().word(1));
        assertThat(record.sourceId()).as("the virtual requester id, not 0xd00").isEqualTo(0x0108);
        assertThat(record.reasonCode()).isEqualTo(0x71);
        assertThat(record.address()).isEqualTo(0x1234_5000L);
        assertThat(c.statistics().reasonDisagreements()).isZero();
        assertThat(hostLog).noneMatch(l -> l.contains("DMAR:") && (l.contains("[0d:00.0]") || l.contains("[0c:00.0]")));
        assertThat(console.toString()).isEmpty();
    }

    // ---- the service ---------------------------------------------------------------------------------------

    @Test
    void eachGuestIsAFaultHandlerServiceOfItsDomainsAndTheShellListsItsCounters() throws Exception {
        VirtualIommu a = guest("vm-a", "vm-a-nic", new GuestRam(machine, false).window, LIMITS);
        assertThat(handlersOf("vm-a-nic")).hasSize(1);
        assertThat(viommus.guests()).containsExactly(a);
        assertThat(viommus.defaultLimits()).isEqualTo(GuestLimits.DEFAULT);
        String listed = (String) Services.shell(context, "faultline:viommus");
        assertThat(listed.lines().findFirst()).hasValueSatisfying(h -> assertThat(h).matches("counter +vm-a"));
        a.close();
        assertThat(handlersOf("vm-a-nic")).isEmpty();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------

    private VirtualIommu guest(String name, String domain, GuestMemoryWindow memory, GuestLimits limits) {
        VirtualIommu g = viommus.create(name, Set.of(domain), memory, limits);
        guests.add(g);
        return g;
    }

    private VirtualIommu guest(String name, Set<String> domains, GuestMemoryWindow memory) {
        VirtualIommu g = viommus.create(name, domains, memory, LIMITS);
        guests.add(g);
        return g;
    }

    /** Gives {@code device} to the guest: a virtual stream id, its CD, and the nested attachment. */
    private void nested(VirtualIommu guest, DeviceId device, int vsid, String domain, GuestRam ram) {
        guest.addDevice(device, vsid);
        guest.setStage1(vsid, Pasid.NONE, ArmStage1Context.readCd(ram.window, 0));
        smmuDomains().attachNested(device, Domain.nested(domain, guest.name()), GuestStage1.single(0), ram.stage2);
    }

    private GuestEvent awaitEvent(VirtualIommu guest) {
        List<GuestEvent> got = new ArrayList<>();
        Services.await(() -> {
            got.addAll(guest.poll(1));
            return !got.isEmpty();
        });
        return got.get(0);
    }

    private List<ServiceReference<FaultHandler>> handlersOf(String domain) throws InvalidSyntaxException {
        return new ArrayList<>(context.getServiceReferences(FaultHandler.class,
                "(" + HandlerProperties.DOMAIN + "=" + domain + ")"));
    }

    private SmmuDomains smmuDomains() {
        return waitFor(smmuDomains);
    }

    private TranslationPort port(String iommu) {
        return waitFor(SMMU.equals(iommu) ? smmuPort : dmarPort);
    }

    private static <T> T waitFor(ServiceAware<T> aware) {
        try {
            T service = aware.waitForService(TimeUnit.SECONDS.toMillis(20));
            assertThat(service).as("service within 20 s").isNotNull();
            return service;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
