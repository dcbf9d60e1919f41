package dev.faultline.itests.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.api.stats.FaultStatistics;
import dev.faultline.api.stats.HandlerStatus;
import dev.faultline.itests.Services;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import dev.faultline.platform.machine.Machine;
import dev.faultline.platform.smmuv3.Smmu;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.smmuv3.SmmuDomains;
import java.time.Duration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.test.common.annotation.InjectBundleContext;
import org.osgi.test.common.annotation.InjectService;

/**
 * The SMMUv3 backend bundle in Felix with the core and the platform: an SMMU configured through Config Admin,
 * a stall-capable device hot-plugged into the machine, real DMA resumed by a whiteboard handler, and a bundle
 * restart whose successor drains what the SMMU queued in the gap.
 */
class SmmuV3OSGiTest {
    private static final String SMMU = "smmuv3.0";
    private static final String NODE = "platform:itest-gpu0@" + SMMU + ":0x142:stall";
    private static final DeviceId GPU = DeviceId.parse("platform:itest-gpu0");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @InjectBundleContext
    BundleContext context;

    @InjectService
    ConfigurationAdmin admin;

    private Machine machine;
    private Smmu smmu;
    private final List<ServiceRegistration<?>> handlers = new CopyOnWriteArrayList<>();

    @BeforeEach
    void deploy() throws Exception {
        Services.factory(admin, "dev.faultline.platform.smmuv3", "name", Map.of("name", SMMU));
        machine = Services.service(context, Machine.class);
        smmu = Services.service(context, Smmu.class, "(iommu.name=" + SMMU + ")");
        Services.plug(context, NODE);
        Services.await(() -> domains().devices().contains(GPU));
    }

    @AfterEach
    void unregisterHandlers() {
        handlers.forEach(ServiceRegistration::unregister);
        handlers.clear();
    }

    private SmmuDomains domains() {
        return Services.service(context, SmmuDomains.class, "(iommu.name=" + SMMU + ")");
    }

    private void handler(FaultHandler handler, String key, String value) {
        Hashtable<String, Object> props = new Hashtable<>();
        props.put(key, value);
        handlers.add(context.registerService(FaultHandler.class, handler, props));
    }

    /** A demand-paging handler: maps the faulting page of {@code table} and answers SUCCESS. */
    private static FaultHandler pager(TranslationTable table, long frame) {
        return g -> {
            table.map(g.address(0) & ~0xfffL, frame, 0x1000, Protection.READ_WRITE);
            g.respond(ResponseCode.SUCCESS);
        };
    }

    @Test
    void stalledDmaIsResumedWhenTheDomainsHandlerAnswersSuccess() {
        TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
        long frame = machine.frames().allocatePage();
        domains().attachStage1(GPU, Pasid.NONE, Domain.unmanaged("itest-gpu0"), table);
        handler(pager(table, frame), HandlerProperties.DOMAIN, "itest-gpu0");
        DmaDevice gpu = DmaDevice.of("itest-gpu0", 0x142, smmu, machine.memory());

        DmaResult r = gpu.write(Pasid.NONE, 0x5_0010L, new byte[] {42}, WAIT);

        assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(r.stalls()).isEqualTo(1);
        assertThat(machine.memory().read8(frame + 0x10)).isEqualTo(42);
        assertThat(smmu.stalledTransactions()).isZero();
    }

    @Test
    void aHandlerBlockedForeverDoesNotHoldUpAnotherDeviceOnTheSameSmmu() throws Exception {
        Services.plug(context, "platform:itest-blocker@" + SMMU + ":0x143:stall");
        DeviceId blocker = DeviceId.parse("platform:itest-blocker");
        Services.await(() -> domains().devices().contains(blocker));
        TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
        long frame = machine.frames().allocatePage();
        domains().attachStage1(GPU, Pasid.NONE, Domain.unmanaged("itest-gpu0"), table);
        domains().attachStage1(blocker, Pasid.NONE, Domain.unmanaged("itest-blocker"),
                TranslationTable.stage1(machine.frames(), 48));
        handler(pager(table, frame), HandlerProperties.DOMAIN, "itest-gpu0");
        CountDownLatch release = new CountDownLatch(1);
        CountDownLatch blocked = new CountDownLatch(1);
        handler(g -> {
            blocked.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, HandlerProperties.DOMAIN, "itest-blocker");
        FaultStatistics statistics = Services.service(context, FaultStatistics.class);
        for (String serves : List.of("domain itest-gpu0: serves", "domain itest-blocker: serves")) {
            Services.await(() -> statistics.handlers().stream().anyMatch(h -> h.state() == HandlerStatus.State.ACTIVE
                    && h.standing().contains(serves)));
        }
        DmaDevice stuck = DmaDevice.of("itest-blocker", 0x143, smmu, machine.memory());
        CompletableFuture<DmaResult> stuckWrite = CompletableFuture.supplyAsync(
                () -> stuck.write(Pasid.NONE, 0x9000, new byte[] {1}, WAIT));
        try {
            assertThat(blocked.await(WAIT.toSeconds(), TimeUnit.SECONDS)).isTrue();

            DmaResult r = DmaDevice.of("itest-gpu0", 0x142, smmu, machine.memory())
                    .write(Pasid.NONE, 0x6_0010L, new byte[] {43}, WAIT);

            assertThat(r.status()).as("served while the other handler blocks the fault thread it was called on")
                    .isEqualTo(DmaStatus.COMPLETED);
            assertThat(blocked.getCount()).isZero();
            assertThat(release.getCount()).isOne();
            assertThat(stuckWrite.get(WAIT.toSeconds(), TimeUnit.SECONDS).status())
                    .as("the blocked call's stall answered on its behalf at the deadline").isEqualTo(DmaStatus.ABORTED);
        } finally {
            release.countDown();
            machine.removeDevice(blocker);
        }
    }

    @Test
    void bundleRestartAnswersPendingGroupsAndTheSuccessorDrainsTheGap() throws Exception {
        TranslationTable table = TranslationTable.stage1(machine.frames(), 48);
        domains().attachStage1(GPU, Pasid.NONE, Domain.unmanaged("itest-gpu0-r"), table);
        List<DeferredGroup> deferred = new CopyOnWriteArrayList<>();
        handler(g -> deferred.add(g.defer()), HandlerProperties.DOMAIN, "itest-gpu0-r");
        DmaDevice gpu = DmaDevice.of("itest-gpu0", 0x142, smmu, machine.memory());
        DmaTransaction pending = gpu.start(new DmaAccess(0x142, Pasid.NONE, 0x9_0000L, AccessType.WRITE, false, 4,
                false));
        Services.await(() -> deferred.size() == 1);

        Bundle backend = FrameworkUtil.getBundle(SmmuDomains.class);
        backend.stop();

        assertThat(pending.await(20, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(deferred.get(0).answered()).isTrue();
        assertThat(smmu.read32(SmmuRegisters.CR0) & SmmuRegisters.CR0_SMMUEN).isNotZero();
        DmaTransaction gap = gpu.start(new DmaAccess(0x142, Pasid.NONE, 0xa_0000L, AccessType.WRITE, false, 4,
                false));
        assertThat(gap.outcome()).isEqualTo(TranslationOutcome.STALLED);

        long frame = machine.frames().allocatePage();
        backend.start();

        // the core carried the device's attachment over the swap: the domain's handler gets the gap's fault
        Services.await(() -> deferred.size() == 2);
        table.map(0xa_0000L, frame, 0x1000, Protection.READ_WRITE);
        assertThat(deferred.get(1).respond(ResponseCode.SUCCESS)).isTrue();
        assertThat(gap.await(20, TimeUnit.SECONDS)).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(gap.physicalAddress()).isEqualTo(frame);
        Services.await(() -> smmu.read32(SmmuRegisters.IRQ_CTRL) != 0);
        assertThat(domains().devices()).contains(GPU);
    }

    @Test
    void theSmmuShellCommandListsTheDevice() throws Exception {
        String status = (String) Services.shell(context, "faultline:smmu " + SMMU);
        assertThat(status).containsPattern(SMMU + " +platform:itest-gpu0 +0x142 +STALL ");
    }
}
