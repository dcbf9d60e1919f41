package dev.faultline.soak;

import static dev.faultline.soak.BackendBundleHotSwapTest.await;
import static dev.faultline.soak.FelixMachine.deadline;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.FaultPipeline;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.DeferredGroup;
import dev.faultline.api.handler.FaultHandler;
import dev.faultline.api.stats.FaultStatistics;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.ServiceRegistration;

/**
 * Hot swap of the core bundle in a real Felix, by {@code Bundle.update} to a new version and a refresh (which also
 * restarts both backends: they import the core's log package): groups held by a handler are answered
 * {@code INVALID} when the backends disconnect from the departing core; what the devices ask meanwhile waits in the
 * hardware and the backends of the new core drain it; the new core serves the next fault; each group has exactly
 * one answer at the device, through repeated swaps under load too.
 */
class CoreBundleHotSwapTest {

    @Test
    void coreUpdateAnswersHeldGroupsInvalidDrainsTheGapAndTheNewCoreServesTheNextFault(@TempDir Path storage)
            throws Exception {
        try (FelixMachine m = new FelixMachine(storage)) {
            List<DeferredGroup> held = new CopyOnWriteArrayList<>();
            ServiceRegistration<FaultHandler> holding = m.handler(g -> held.add(g.defer()));
            assertThat(m.smmuFunction.send(SoakMachine.priPage(1, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            assertThat(m.vtdFunction.send(SoakMachine.priPage(1, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            await(() -> held.size() == 2, "the groups held by the handler");

            m.felix.update(FelixMachine.CORE, "1.0.1.swap", Map.of(), () -> {
                assertThat(held).allMatch(DeferredGroup::answered);
                assertThat(held.get(0).respond(ResponseCode.SUCCESS)).isFalse();
                assertThat(m.smmuFunction.ledger().answers()[1]).isEqualTo(1);
                assertThat(m.vtdFunction.ledger().answers()[1]).isEqualTo(1);
                try {
                    assertThat(m.smmuFunction.send(SoakMachine.priPage(2, HandlerAct.SUCCESS), 1, deadline()))
                            .isTrue();
                    assertThat(m.vtdFunction.send(SoakMachine.priPage(2, HandlerAct.SUCCESS), 2, deadline()))
                            .isTrue();
                    assertThat(m.gpu.issue(HandlerAct.SUCCESS, deadline())).isTrue();
                } catch (InterruptedException e) {
                    throw new AssertionError(e);
                }
                assertThat(m.smmuFunction.ledger().outstanding() + m.vtdFunction.ledger().outstanding())
                        .as("waiting in the hardware while no core runs").isEqualTo(2);
                assertThat(m.smmu.stalledTransactions()).isEqualTo(1);
                holding.unregister();
                m.handler(m.answering(ResponseCode.SUCCESS));
            });

            assertThat(m.felix.providerVersion(FaultPipeline.class, null)).isEqualTo("1.0.1.swap");
            assertThat(m.smmuFunction.awaitAnswers(deadline())).isTrue();
            assertThat(m.vtdFunction.awaitAnswers(deadline())).isTrue();
            assertThat(m.gpu.drain(deadline())).isTrue();
            assertThat(m.gpu.translated()).isEqualTo(1);
            m.attach();
            assertThat(m.smmuFunction.send(SoakMachine.priPage(3, HandlerAct.SUCCESS), 1, deadline())).isTrue();
            assertThat(m.smmuFunction.awaitAnswers(deadline())).isTrue();

            for (PriFunction f : List.of(m.smmuFunction, m.vtdFunction)) {
                PriFunction.Ledger l = f.ledger();
                assertThat(l.answered()).isEqualTo(l.groups());
                assertThat(l.answers()[1]).as("%s: INVALID only for the held group", f).isEqualTo(1);
                assertThat(l.duplicates()).isZero();
            }
            FaultStatistics stats = m.felix.service(FaultStatistics.class, null);
            assertThat(stats.totals().groups()).as("the new core answered the drained groups and the next one")
                    .isEqualTo(4);
            assertThat(stats.totals().answeredSuccess()).isEqualTo(4);
            assertThat(stats.totals().balanced()).isTrue();
        }
    }

    @Test
    void coreUpdatedAgainAndAgainWhileDevicesKeepFaultingAnswersEveryGroupExactlyOnce(@TempDir Path storage)
            throws Exception {
        try (FelixMachine m = new FelixMachine(storage)) {
            m.handler(m.answering(ResponseCode.SUCCESS));
            m.swapRepeatedly(List.of(FelixMachine.CORE), 3);
            assertThat(m.stopFaulting()).isEmpty();
            assertThat(m.exactlyOnceProblems()).isEmpty();
            assertThat(m.smmuFunction.ledger().answers()[0]).as("most answered SUCCESS")
                    .isGreaterThan(m.smmuFunction.ledger().groups() / 2);
        }
    }
}
