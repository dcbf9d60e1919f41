package dev.faultline.demo.internal;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.examples.sva.DemandPager;
import dev.faultline.examples.sva.ProcessPageTable;
import dev.faultline.demo.StepResult;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.PriCapability;
import dev.faultline.platform.dma.TranslationPort;
import dev.faultline.platform.machine.Machine;
import dev.faultline.smmuv3.SmmuDomains;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * A PCIe device with PRI shares a process address space through the SMMUv3 (PASID 5 attached to an SVA
 * domain); the examples' {@link DemandPager} maps each page the first time the device touches it and answers
 * SUCCESS; accesses outside the process's area are answered INVALID; a write to a page first read makes it
 * writable. Then, the path warmed up, {@value #MEASURED} more pages are written to measure the report-to-response
 * latency of the pager's answers.
 */
final class SvaPagingStep implements DemoStep {
    private static final String TITLE = "SVA demand paging through SMMUv3 (PCIe PRI, examples' DemandPager)";
    private static final DeviceId DEVICE = DeviceId.parse(DemoTopology.SVA_NIC);
    private static final int PASID = 5;
    private static final long AREA = 0x7f00_0000_0000L;
    private static final int PAGES = 64;
    private static final int OUTSIDE = 2;
    /** Page requests measured for the latency figure, after the ones above. */
    static final int MEASURED = 256;
    private static final Duration DMA_TIMEOUT = Duration.ofSeconds(5);

    private final LatencyRecorder latency;

    SvaPagingStep(LatencyRecorder latency) {
        this.latency = latency;
    }

    @Override
    public String title() {
        return TITLE;
    }

    @Override
    public StepResult run(DemoServices services) throws InterruptedException {
        Optional<Machine> machine = services.await(Machine.class, null);
        Optional<SmmuDomains> smmu = services.await(SmmuDomains.class, "(iommu.name=" + DemoTopology.SMMU + ")");
        Optional<TranslationPort> port = services.await(TranslationPort.class,
                "(iommu.name=" + DemoTopology.SMMU + ")");
        if (machine.isEmpty() || smmu.isEmpty() || port.isEmpty()) {
            return Checks.notRun(TITLE, "no SMMUv3 " + DemoTopology.SMMU + " with its backend (platform and"
                    + " smmu-v3 bundles)");
        }
        Machine m = machine.get();
        TranslationTable table = TranslationTable.stage1(m.frames(), 48);
        // the pages shown, one read then written, and the pages measured
        DemandPager pager = new DemandPager(m.frames(), ProcessPageTable.arm(table), AREA,
                (PAGES + 1 + MEASURED) * ProcessPageTable.PAGE_SIZE);
        String domain = "demo-sva-pasid" + PASID;
        services.registerHandler(new TimedHandler(pager, latency), Map.of(HandlerProperties.DOMAIN, domain));
        smmu.get().attachStage1(DEVICE, PASID, Domain.sva(domain), table);
        PriCapability pri = new PriCapability(32, true);
        pri.enable();
        DmaDevice nic = DmaDevice.withPri("demo-nic", DemoTopology.SVA_NIC_RID, port.get(), m.memory(), pri);
        Checks checks = new Checks();
        try {
            int completed = 0;
            int pageRequests = 0;
            for (int i = 0; i < PAGES; i++) {
                DmaResult r = nic.write(PASID, AREA + i * ProcessPageTable.PAGE_SIZE + 8, word(i), DMA_TIMEOUT);
                completed += r.completed() ? 1 : 0;
                pageRequests += r.pageRequests();
            }
            int invalid = 0;
            for (int i = 0; i < OUTSIDE; i++) {
                DmaResult r = nic.read(PASID, AREA - (i + 1) * ProcessPageTable.PAGE_SIZE, 8, DMA_TIMEOUT);
                invalid += r.status() == DmaStatus.PAGE_REQUEST_INVALID ? 1 : 0;
            }
            DmaResult again = nic.read(PASID, AREA + 8, 8, DMA_TIMEOUT);
            checks.expect(completed == PAGES && pager.pagesMapped() == PAGES, completed + "/" + PAGES
                    + " DMA writes completed; " + pager.pagesMapped() + " pages mapped on demand (SUCCESS)");
            checks.expect(pageRequests == PAGES, pageRequests + " page requests, one per page");
            checks.expect(invalid == OUTSIDE, invalid + "/" + OUTSIDE
                    + " reads outside the process's area answered INVALID");
            checks.expect(again.completed() && again.pageRequests() == 0,
                    "a read of a paged-in page completes without a fault");
            writeAfterRead(nic, pager, table, checks);
            latency.start();
            int measured = 0;
            for (int i = 0; i < MEASURED; i++) {
                long page = AREA + (PAGES + 1 + i) * ProcessPageTable.PAGE_SIZE;
                DmaResult r = nic.write(PASID, page, word(i), DMA_TIMEOUT);
                measured += r.completed() && r.pageRequests() == 1 ? 1 : 0;
            }
            checks.expect(measured == MEASURED, measured + "/" + MEASURED + " further pages paged in to measure the"
                    + " report->response latency, the path warmed up by the ones above");
        } finally {
            port.get().disconnect(DemoTopology.SVA_NIC_RID);
            smmu.get().detach(DEVICE, PASID);
        }
        return checks.result(TITLE);
    }

    /**
     * A page the device reads is mapped read-only; its write then asks again, and the pager makes the page
     * writable in place (the same frame) instead of refusing a page it already mapped.
     */
    private static void writeAfterRead(DmaDevice nic, DemandPager pager, TranslationTable table, Checks checks) {
        long page = AREA + PAGES * ProcessPageTable.PAGE_SIZE;
        DmaResult read = nic.read(PASID, page, 8, DMA_TIMEOUT);
        long frame = table.lookup(page).orElse(-1);
        DmaResult write = nic.write(PASID, page + 8, word(0x5a), DMA_TIMEOUT);
        checks.expect(read.completed() && write.completed() && read.pageRequests() == 1 && write.pageRequests() == 1
                && pager.pagesUpgraded() == 1 && table.lookup(page).orElse(-2) == frame,
                "a read then a write of a new page: mapped read-only, then made writable in place (SUCCESS both"
                        + " times, " + pager.pagesUpgraded() + " page upgraded)");
    }

    private static byte[] word(int value) {
        byte[] data = new byte[8];
        data[0] = (byte) value;
        data[1] = (byte) (value >>> 8);
        return data;
    }
}
