package dev.faultline.soak;

import static dev.faultline.soak.FelixMachine.deadline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.platform.smmuv3.SmmuStatistics;
import dev.faultline.smmuv3.SmmuDomains;
import dev.faultline.vtd.VtdIommu;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceRegistration;

/**
 * Hot swap of the backend bundles in a real Felix, by {@code Bundle.update} to a new version and a refresh, while
 * devices keep faulting: a group the stopping backend's handler still held is answered {@code INVALID} at the stop
 * (the core's rule for a departing IOMMU); what the devices ask while no backend runs waits in the hardware's
 * queues (PRI entries, stalled transactions) and the new version drains and answers it; the new version serves
 * the next fault; and each group has exactly one answer, counted at the device.
 */
class BackendBundleHotSwapTest {

    @Test
    void smmuV3UpdateAnswersHeldGroupsInvalidDrainsTheGapAndTheNewVersionServesTheNextFault(@TempDir Path storage)
            throws Exception {
        try (FelixMachine m = new FelixMachine(storage)) {
            List<DeferredGroup> held = new CopyOnWriteArrayList<>();
            ServiceRegistration<FaultHandler> holding = m.handler(g -> held.add(g.defer()));
            assertThat(m.smmuFunction.send(SoakMachine.priPage(1, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            await(() -> held.size() == 1, "the group held by the handler");
            SmmuStatistics before = m.smmu.statistics();

            m.felix.update(FelixMachine.SMMU_V3, "1.0.1.swap", Map.of(), () -> {
                // the stop answered the held group INVALID, through the stopping driver
                assertThat(held.get(0).answered()).isTrue();
                assertThat(held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
                assertThat(m.smmuFunction.ledger().answers()[1]).isEqualTo(1);
                // the gap: a page request group and a stall wait in the hardware
                long deadline = System.nanoTime() + EmbeddedFelix.WAIT.toNanos();
                try {
                    assertThat(m.smmuFunction.send(SoakMachine.priPage(2, HandlerAct.SUCCESS), 2, deadline)).isTrue();
                    assertThat(m.gpu.issue(HandlerAct.SUCCESS, deadline)).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                assertThat(m.smmuFunction.ledger().outstanding()).isEqualTo(1);
                assertThat(m.smmu.stalledTransactions()).isEqualTo(1);
                holding.unregister();
                m.handler(m.answering(ResponseCode.SUCCESS));
            });

            assertThat(m.felix.providerVersion(SmmuDomains.class, "(iommu.name=" + FelixMachine.SMMU + ")"))
                    .isEqualTo("1.0.1.swap");
            assertThat(m.smmuFunction.awaitAnswers(deadline())).as("the gap's group drained and answered").isTrue();
            assertThat(m.gpu.drain(deadline())).as("the gap's stall drained and resumed").isTrue();
            assertThat(m.gpu.translated()).isEqualTo(1);
            m.attach();
            assertThat(m.smmuFunction.send(SoakMachine.priPage(3, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            assertThat(m.smmuFunction.awaitAnswers(deadline())).as("the next fault, served by 1.0.1.swap").isTrue();

            PriFunction.Ledger l = m.smmuFunction.ledger();
            assertThat(l.groups()).isEqualTo(3);
            assertThat(l.answers()[0]).as("SUCCESS for the gap's group and the next one").isEqualTo(2);
            assertThat(l.answers()[1]).as("INVALID for the held one").isEqualTo(1);
            assertThat(l.duplicates()).isZero();
            SmmuStatistics after = m.smmu.statistics();
            assertThat(after.prgResponsesSent() - before.prgResponsesSent())
                    .as("one CMD_PRI_RESP per group: the stop's INVALID, the drained group, the next one").isEqualTo(3);
            assertThat(after.autoResponses()).isZero();
            assertThat(after.resumesUnmatched()).isZero();
        }
    }

    @Test
    void intelVtdUpdateAnswersHeldGroupsInvalidDrainsTheGapAndTheNewVersionServesTheNextFault(@TempDir Path storage)
            throws Exception {
        try (FelixMachine m = new FelixMachine(storage)) {
            List<DeferredGroup> held = new CopyOnWriteArrayList<>();
            ServiceRegistration<FaultHandler> holding = m.handler(g -> held.add(g.defer()));
            assertThat(m.vtdFunction.send(SoakMachine.priPage(1, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            await(() -> held.size() == 1, "the group held by the handler");
            long sentBefore = m.unit.counters().responsesSent();

            m.felix.update(FelixMachine.INTEL_VTD, "1.0.1.swap", Map.of(), () -> {
                assertThat(held.get(0).answered()).isTrue();
                assertThat(m.vtdFunction.ledger().answers()[1]).isEqualTo(1);
                try {
                    assertThat(m.vtdFunction.send(SoakMachine.priPage(2, HandlerAct.SUCCESS), 3, deadline())).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                assertThat(m.vtdFunction.ledger().outstanding()).as("waits in the page request queue").isEqualTo(1);
                holding.unregister();
                m.handler(m.answering(ResponseCode.SUCCESS));
            });

            assertThat(m.felix.providerVersion(VtdIommu.class, "(" + VtdIommu.NAME_PROPERTY + "=" + FelixMachine.DMAR
                    + ")")).isEqualTo("1.0.1.swap");
            assertThat(m.vtdFunction.awaitAnswers(deadline())).as("the gap's group drained and answered").isTrue();
            m.attach();
            assertThat(m.vtdFunction.send(SoakMachine.priPage(3, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            assertThat(m.vtdFunction.awaitAnswers(deadline())).as("the next fault, served by 1.0.1.swap").isTrue();

            PriFunction.Ledger l = m.vtdFunction.ledger();
            assertThat(l.groups()).isEqualTo(3);
            assertThat(l.answers()[0]).isEqualTo(2);
            assertThat(l.answers()[1]).isEqualTo(1);
            assertThat(l.duplicates()).isZero();
            assertThat(m.unit.counters().responsesSent() - sentBefore).isEqualTo(3);
            assertThat(m.unit.counters().automaticResponses()).isZero();
        }
    }

    @Test
    void backendsUpdatedAgainAndAgainWhileDevicesKeepFaultingAnswerEveryGroupExactlyOnce(@TempDir Path storage)
            throws Exception {
        try (FelixMachine m = new FelixMachine(storage)) {
            m.handler(m.answering(ResponseCode.SUCCESS));
            m.swapRepeatedly(List.of(FelixMachine.SMMU_V3, FelixMachine.INTEL_VTD), 4);
            assertThat(m.stopFaulting()).isEmpty();
            assertThat(m.exactlyOnceProblems()).isEmpty();
            assertThat(m.felix.providerVersion(FaultPipeline.class, null)).doesNotContain("swap");
        }
    }

    static void await(BooleanSupplier condition, String what) {
        long deadline = FelixMachine.deadline();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime() - deadline).as("waiting for %s", what).isNegative();
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }
}
