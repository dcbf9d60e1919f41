package dev.faultline.demo.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.examples.deferred.DeferredFaults;
import dev.faultline.examples.sva.DemandPager;
import dev.faultline.examples.sva.ProcessPageTable;
import dev.faultline.demo.StepResult;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.vtd.VtdIommu;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * An accelerator behind VT-d sends page requests (PRQ); the examples' {@link DeferredFaults} defers each group
 * on the fault thread and a worker thread pages it in, then answers SUCCESS.
 */
final class DeferredPagingStep implements DemoStep {
    private static final String TITLE = "deferred paging through VT-d (page request queue, examples' DeferredFaults)";
    private static final int PASID = 7;
    private static final long AREA = 0x5500_0000_0000L;
    private static final int PAGES = 32;
    private static final Duration DMA_TIMEOUT = Duration.ofSeconds(5);

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public StepResult run(DemoServices services) throws InterruptedException {
        Optional<Machine> machine = services.await(Machine.class, null);
        Optional<VtdIommu> vtd = services.await(VtdIommu.class,
                "(" + VtdIommu.NAME_PROPERTY + "=" + DemoTopology.DMAR + ")");
        Optional<TranslationPort> port = services.await(TranslationPort.class,
                "(iommu.name=" + DemoTopology.DMAR + ")");
        if (machine.isEmpty() || vtd.isEmpty() || port.isEmpty()) {
            return Checks.notRun(TITLE, "no VT-d unit " + DemoTopology.DMAR + " with its backend (platform and"
                    + " intel-vtd bundles)");
        }
        Machine m = machine.get();
        FirstLevelPageTable table = new FirstLevelPageTable(m.frames(), FirstLevelPageTable.PAGE_4K);
        DemandPager pager = new DemandPager(m.frames(), ProcessPageTable.x86(table), AREA,
                PAGES * ProcessPageTable.PAGE_SIZE);
        String domain = "demo-accel-pasid" + PASID;
        PciRequesterId device = PciRequesterId.ofRid(vtd.get().segment(), DemoTopology.ACCEL_RID);
        Checks checks = new Checks();
        try (DeferredFaults deferred = new DeferredFaults(group -> pager.page(group.faults()), "demo-paging-worker")) {
            services.registerHandler(deferred, Map.of(HandlerProperties.DOMAIN, domain,
                    HandlerProperties.TIMEOUT_MS, 2_000L));
            vtd.get().attach(device, PASID, Domain.sva(domain), table.root());
            PriCapability pri = new PriCapability(32, true);
            pri.enable();
            DmaDevice accel = DmaDevice.withPri("demo-accel", DemoTopology.ACCEL_RID, port.get(), m.memory(), pri);
            try {
                int completed = 0;
                for (int i = 0; i < PAGES; i++) {
                    DmaResult r = accel.read(PASID, AREA + i * ProcessPageTable.PAGE_SIZE, 8, DMA_TIMEOUT);
                    completed += r.completed() ? 1 : 0;
                }
                checks.expect(completed == PAGES, completed + "/" + PAGES + " DMA reads completed after paging");
                // the device resumes inside the worker's answer, before the worker counts it
                services.until(() -> deferred.answered() == PAGES);
                checks.expect(deferred.answered() == PAGES && deferred.late() == 0, deferred.answered()
                        + " groups deferred and answered SUCCESS from the worker thread, " + deferred.late() + " late");
            } finally {
                port.get().disconnect(DemoTopology.ACCEL_RID);
                vtd.get().detach(device, PASID);
            }
        }
        return checks.result(TITLE);
    }
}
