package dev.faultline.vtd.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.PciRequesterId;
import dev.faultline.api.handler.HandlerProperties;
import dev.faultline.core.standalone.StandaloneCore;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseMessage;
import dev.faultline.platform.x86.FirstLevelPageTable;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A driver without threads (a simulation whose actors share one Java thread): the interrupt thread's pass never
 * waits for the queues' pass, which only the actor holding it can give up once the waiting call returns.
 */
class WithoutThreadsTest {
    private static final PciRequesterId GPU = new PciRequesterId(0, 3, 0, 0);
    private static final int PASID = 5;

    private final DriverRig rig = new DriverRig();
    private final List<PrgResponseMessage> wire = new CopyOnWriteArrayList<>();
    private final StandaloneCore core = StandaloneCore.builder().start();
    private final UnitDriver driver = new UnitDriver(rig.unit, rig.os, core.pipeline(), new DriverSettings(4,
            TimeUnit.SECONDS.toNanos(5), 10, TimeUnit.SECONDS.toNanos(5)), rig.log, System::nanoTime, () -> { },
            Runnable::run);

    @AfterEach
    void stop() {
        driver.stop();
        core.close();
    }

    @Test
    void aPassKickedWhileATeardownDrainsTheQueuesReturnsAtOnceAndLooksAgainLater() throws Exception {
        driver.start();
        driver.pass();
        driver.attach(GPU, PASID, Domain.sva("gpu-process"), new FirstLevelPageTable(rig.os,
                FirstLevelPageTable.PAGE_4K).root());
        rig.unit.connect(GPU.rid(), wire::add);
        List<Integer> passesDuringTheDrain = new CopyOnWriteArrayList<>();
        core.register(g -> passesDuringTheDrain.add(driver.pass()), Map.of(HandlerProperties.DOMAIN, "gpu-process"));
        rig.unit.pageRequest(new PageRequestMessage(GPU.rid(), PASID, false, false, true, false, true, 1,
                0x7f00_0040_0000L));

        CompletableFuture.runAsync(() -> driver.detach(GPU, PASID)).get(10, TimeUnit.SECONDS);

        assertThat(passesDuringTheDrain).as("held by the drain: nothing ran, look again")
                .containsExactly(FaultRecordReader.AGAIN);
        assertThat(wire).singleElement().extracting(PrgResponseMessage::code)
                .isEqualTo(PrgResponseCode.INVALID_REQUEST);
        assertThat(driver.counters().reportsAbandoned()).as("the drain's handler call never blocked").isZero();
        driver.pass(); // the page request event latched while the drain held the queues: found empty
        assertThat(driver.pass()).as("the queues are free again, and empty").isEqualTo(FaultRecordReader.DONE);
    }
}
