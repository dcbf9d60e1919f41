package dev.faultline.itests.vtd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.itests.Services;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.vtd.RemappingUnit;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.vtd.VtdIommu;
import java.time.Duration;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.log.LogListener;
import org.osgi.service.log.LogReaderService;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The VT-d backend bundle in Felix with the core and the platform: a remapping unit of its own (dmar1, PCI
 * segment 1) configured through Config Admin, PRI devices hot-plugged into the machine, real DMA through the
 * page request queue to whiteboard handlers, fault records to handlers or to the log in the kernel's format,
 * guests' faults kept off the host log, and a bundle restart whose successor drains the gap.
 */
class VtdOSGiTest {
    private static final String UNIT = "dmar1";
    private static final PciRequesterId GPU = new PciRequesterId(1, 6, 0, 0);
    private static final PciRequesterId NIC = new PciRequesterId(1, 6, 1, 0);
    private static final PciRequesterId VF = new PciRequesterId(1, 6, 2, 0);
    private static final int PASID = 5;
    private static final Duration WAIT = Duration.ofSeconds(20);

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    @InjectService
    LogReaderService logReader;

    private Machine machine;
    private RemappingUnit unit;
    private final List<ServiceRegistration<?>> handlers = new CopyOnWriteArrayList<>();
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final LogListener listener = entry -> lines.add(entry.getMessage());

    @BeforeEach
    void deploy() throws Exception {
        Services.factory(admin, "dev.faultline.platform.vtd", "name", Map.of("name", UNIT, "segment", 1));
        // one rate-limit window for the whole run: which lines print must not depend on how fast it runs
        Services.factory(admin, "dev.faultline.vtd", "unit.target",
                Map.of("unit.target", "(iommu.name=" + UNIT + ")", "log.interval.ms", 3_600_000L));
        machine = Services.service(context, Machine.class);
        unit = Services.service(context, RemappingUnit.class, "(iommu.name=" + UNIT + ")");
        for (PciRequesterId device : List.of(GPU, NIC, VF)) {
            Services.plug(context, device + "@" + UNIT + ":0x" + Integer.toHexString(device.rid()) + ":pri");
        }
        logReader.addLogListener(listener);
    }

    @AfterEach
    void cleanUp() {
        logReader.removeLogListener(listener);
        handlers.forEach(ServiceRegistration::unregister);
        handlers.clear();
    }

    private VtdIommu iommu() {
        return Services.service(context, VtdIommu.class, "(" + VtdIommu.NAME_PROPERTY + "=" + UNIT + ")");
    }

    private void handler(FaultHandler handler, String key, String value) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(key, value);
        handlers.add(context.registerService(FaultHandler.class, handler, props));
    }

    private DmaDevice priDevice(PciRequesterId id, PriCapability pri) {
        pri.enable();
        return DmaDevice.withPri(id.toString(), id.rid(), unit, machine.memory(), pri);
    }

    /** A demand-paging handler: maps each faulting page of {@code table} and answers SUCCESS. */
    private FaultHandler pager(FirstLevelPageTable table) {
        return group -> {
            for (int i = 0; i < group.size(); i++) {
                long page = group.address(i) & ~0xfffL;
                if (table.translate(page).isEmpty()) {
                    table.map(page, machine.frames().allocatePage(), 0x1000, PageProtection.READ_WRITE);
                }
            }
            group.respond(ResponseCode.SUCCESS);
        };
    }

    @Test
    void pageRequestsReachTheDomainsHandlerAndTheRetriedDmaSucceeds() {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        iommu().attach(GPU, PASID, Domain.sva("itest-vtd-proc"), table.root());
        handler(pager(table), HandlerProperties.DOMAIN, "itest-vtd-proc");
        DmaDevice gpu = priDevice(GPU, new PriCapability(32, true));

        DmaResult write = gpu.write(PASID, 0x7f00_1234_5010L, new byte[] {42}, WAIT);

        assertThat(write.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(write.pageRequests()).isEqualTo(1);
        assertThat(machine.memory().read8(table.translate(0x7f00_1234_5010L).orElseThrow())).isEqualTo(42);
    }

    @Test
    void aFailingHandlerStopsThePageRequestsOfTheDevice() {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        iommu().attach(GPU, 6, Domain.sva("itest-vtd-broken"), table.root());
        handler(group -> group.respond(ResponseCode.FAILURE), HandlerProperties.DOMAIN, "itest-vtd-broken");
        PriCapability pri = new PriCapability(32, true);

        assertThat(priDevice(GPU, pri).read(6, 0x1000, 8, WAIT).status()).isEqualTo(DmaStatus.PAGE_REQUEST_FAILED);
        assertThat(pri.responseFailure()).isTrue();
    }

    @Test
    void unhandledFaultRecordsArePrintedInTheKernelsFormatRateLimited() {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        iommu().attach(NIC, Pasid.NONE, Domain.dma("itest-vtd-nic"), table.root());
        DmaDevice nic = DmaDevice.of("nic", NIC.rid(), unit, machine.memory());
        String line = "DMAR: [DMA Write NO_PASID] Request device [06:01.0] fault addr 0x9000 [fault reason 0x71] "
                + "SM: Present bit in first-level paging entry is clear";
        for (int i = 0; i < 12; i++) {
            assertThat(nic.write(Pasid.NONE, 0x9000, new byte[] {1}, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
            int printed = i < 10 ? i + 1 : 10;
            Services.await(() -> lines.stream().filter(line::equals).count() == printed);
        }
        assertThat(lines.stream().filter(l -> l.contains("[06:01.0]"))).hasSize(10).containsOnly(line);
    }

    @Test
    void aGuestsFaultsReachItsHandlerAndNeverTheHostLog() throws Exception {
        FirstLevelPageTable guestTable = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        iommu().attach(VF, Pasid.NONE, Domain.nested("itest-vm1-vf", "itest-vm1"), guestTable.root());
        List<Long> guestSaw = new CopyOnWriteArrayList<>();
        // the test bundle stands in for a vIOMMU: the core must trust it with guests (guest.handlers)
        Configuration core = admin.getConfiguration("dev.faultline.core", "?");
        Dictionary<String, Object> before = core.getProperties();
        Hashtable<String, Object> trusting = new Hashtable<>();
        if (before != null) {
            Collections.list(before.keys()).forEach(k -> trusting.put(k, before.get(k)));
        }
        trusting.put("guest.handlers", new String[] {"dev.faultline.viommu", context.getBundle().getSymbolicName()});
        core.update(trusting);
        try {
            Hashtable<String, Object> props = new Hashtable<>();
            props.put(HandlerProperties.DOMAIN, "itest-vm1-vf");
            props.put(HandlerProperties.GUEST, "itest-vm1");
            ServiceRegistration<FaultHandler> guestHandler =
                    context.registerService(FaultHandler.class, group -> guestSaw.add(group.address(0)), props);
            handlers.add(guestHandler);
            // the configuration reaches the core asynchronously: until it does, the registration is refused
            long serviceId = (Long) guestHandler.getReference().getProperty(Constants.SERVICE_ID);
            FaultStatistics statistics = Services.service(context, FaultStatistics.class);
            Services.await(() -> statistics.handlers().stream()
                    .anyMatch(h -> h.serviceId() == serviceId && h.state() == HandlerStatus.State.ACTIVE));
            DmaDevice vf = DmaDevice.of("vf", VF.rid(), unit, machine.memory());

            assertThat(vf.read(Pasid.NONE, 0xabc000, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);
            Services.await(() -> guestSaw.size() == 1);
            handlers.remove(0).unregister();
            assertThat(vf.read(Pasid.NONE, 0xabd000, 8, WAIT).status()).isEqualTo(DmaStatus.ABORTED);

            assertThat(guestSaw).containsExactly(0xabc000L);
            assertThat(lines).noneMatch(l -> l.contains("[06:02.0]") || l.contains(VF.toString()));
        } finally {
            if (before == null) {
                core.delete();
            } else {
                core.update(before);
            }
        }
    }

    @Test
    void bundleRestartAnswersPendingGroupsAndTheSuccessorDrainsTheGap() throws Exception {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        iommu().attach(GPU, 7, Domain.sva("itest-vtd-restart"), table.root());
        List<DeferredGroup> deferred = new CopyOnWriteArrayList<>();
        handler(group -> deferred.add(group.defer()), HandlerProperties.DOMAIN, "itest-vtd-restart");
        DmaDevice gpu = priDevice(GPU, new PriCapability(32, true));
        CompletableFuture<DmaResult> pending = CompletableFuture.supplyAsync(() -> gpu.read(7, 0x4000, 8, WAIT));
        Services.await(() -> deferred.size() == 1);

        Bundle backend = FrameworkUtil.getBundle(VtdIommu.class);
        backend.stop();

        assertThat(pending.get(20, TimeUnit.SECONDS).status()).isEqualTo(DmaStatus.PAGE_REQUEST_INVALID);
        assertThat(deferred.get(0).answered()).isTrue();
        assertThat(unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_TE).isNotZero(); // left translating
        long queued = unit.counters().pageRequestsQueued();
        CompletableFuture<DmaResult> gap = CompletableFuture.supplyAsync(() -> gpu.read(7, 0x5000, 8, WAIT));
        Services.await(() -> unit.counters().pageRequestsQueued() == queued + 1);
        assertThat(unit.read32(RegisterMap.PECTL)).isEqualTo(RegisterMap.EVENT_IM | RegisterMap.EVENT_IP);

        backend.start();

        // the core carried the device's attachment over the swap: the domain's handler gets the gap's request
        Services.await(() -> deferred.size() == 2);
        table.map(0x5000, machine.frames().allocatePage(), 0x1000, PageProtection.READ_WRITE);
        assertThat(deferred.get(1).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(gap.get(20, TimeUnit.SECONDS).status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(iommu().name()).isEqualTo(UNIT);
    }

    @Test
    void theVtdShellCommandShowsTheUnitAndItsAttachments() throws Exception {
        FirstLevelPageTable table = new FirstLevelPageTable(machine.frames(), FirstLevelPageTable.PAGE_4K);
        iommu().attach(GPU, 9, Domain.sva("itest-vtd-shell"), table.root());
        String status = (String) Services.shell(context, "faultline:vtd " + UNIT);
        assertThat(status).containsPattern("\ndmar1 +[0-9]+ +true ")
                .contains("dmar1  0001:06:00.0 pasid 0x9 -> sva itest-vtd-shell\n");
    }
}
