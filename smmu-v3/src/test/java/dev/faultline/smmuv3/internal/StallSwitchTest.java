package dev.faultline.smmuv3.internal;

import static dev.faultline.smmuv3.internal.BackendRig.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.api.handler.FaultGroup;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaDevice;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.SmmuFeatures;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code SmmuDomains.setStall}: what it programs (CD.S, STE.S1STALLD, STE.S2S), the invalidations it issues, and
 * what a faulting DMA then does on the simulated SMMU.
 */
class StallSwitchTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    private static final DeviceId DSP = DeviceId.parse("platform:dsp0");
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");
    private static final int SID = 0x42;

    private BackendRig rig;

    @AfterEach
    void close() {
        if (rig != null) {
            rig.close();
        }
    }

    /** A GPU with a PASID-less context and context 3, whose faults the handler records and answers INVALID. */
    private List<Boolean> gpuWithTwoContexts() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall", "platform:dsp0@smmuv3.0:0x60",
                "0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), rig.stage1());
        rig.driver.attachStage1(GPU, 3, Domain.unmanaged("gpu0-ctx3"), rig.stage1());
        List<Boolean> recoverable = new CopyOnWriteArrayList<>();
        rig.register(g -> {
            recoverable.add(g.recoverable());
            g.respond(ResponseCode.INVALID);
        }, dev.faultline.api.handler.HandlerProperties.DEVICE, GPU.toString());
        return recoverable;
    }

    private List<Command> commandsAfter(int from) {
        List<Command> all = rig.commands();
        return new ArrayList<>(all.subList(from, all.size()));
    }

    @Test
    void withStallOffAFaultingAccessIsAbortedAtOnceAndReportedAsUnrecoverable() {
        List<Boolean> recoverable = gpuWithTwoContexts();
        rig.driver.setStall(GPU, false);

        StreamTableEntry ste = rig.ste(SID);
        assertThat(ste.s1Stalld()).isTrue();
        assertThat(rig.cd(ste, 0).stall()).isFalse();
        assertThat(rig.cd(ste, 3).stall()).isFalse();
        assertThat(rig.cd(ste, 3).record()).as("still recorded").isTrue();
        assertThat(ste.config()).isEqualTo(StreamTableEntry.CFG_S1_TRANS);

        DmaResult r = rig.device("gpu0", SID).write(3, 0x10_0000L, new byte[] {1}, WAIT);

        assertThat(r.status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(r.stalls()).isZero();
        assertThat(rig.smmu.statistics().stalls()).isZero();
        assertThat(rig.smmu.statistics().eventsWritten()).isEqualTo(1);
        BackendRig.await(() -> recoverable.size() == 1, "the report");
        assertThat(recoverable).containsExactly(false);
        assertThat(rig.driver.statistics().stallsReported()).isZero();
        assertThat(rig.driver.statistics().unrecoverableReported()).isEqualTo(1);
        assertThat(EndToEndTest.resumes(rig)).as("nothing to resume").isEmpty();
    }

    @Test
    void switchedBackOnAFaultStallsAgainAndIsAnsweredThroughTheCore() {
        List<Boolean> recoverable = gpuWithTwoContexts();
        rig.driver.setStall(GPU, false);
        rig.driver.setStall(GPU, true);

        StreamTableEntry ste = rig.ste(SID);
        assertThat(ste.s1Stalld()).isFalse();
        assertThat(rig.cd(ste, 0).stall()).isTrue();
        assertThat(rig.cd(ste, 3).stall()).isTrue();

        DmaResult r = rig.device("gpu0", SID).read(Pasid.NONE, 0x20_0000L, 8, WAIT);

        assertThat(r.status()).as("terminated by the INVALID answer").isEqualTo(DmaStatus.ABORTED);
        assertThat(r.stalls()).isEqualTo(1);
        assertThat(rig.smmu.statistics().stalls()).isEqualTo(1);
        assertThat(recoverable).containsExactly(true);
        assertThat(EndToEndTest.resumes(rig)).singleElement()
                .satisfies(c -> assertThat(c.abort()).isTrue());
        assertThat(rig.smmu.stalledTransactions()).isZero();
    }

    @Test
    void switchingOffInvalidatesTheCdsBeforeTheSteAndSwitchingOnTheSteBeforeTheCds() {
        gpuWithTwoContexts();
        Command cd0 = Command.ConfigInvalidation.cd(SID, 0);
        Command cd3 = Command.ConfigInvalidation.cd(SID, 3);
        Command ste = Command.ConfigInvalidation.ste(SID);

        int before = rig.commands().size();
        rig.driver.setStall(GPU, false);
        List<Command> off = commandsAfter(before);
        assertThat(off).filteredOn(c -> !(c instanceof Command.Sync)).containsExactly(cd0, cd3, ste);
        assertThat(off).as("each invalidation is followed by a CMD_SYNC").hasSize(6);
        for (int i = 1; i < off.size(); i += 2) {
            assertThat(off.get(i)).isInstanceOf(Command.Sync.class);
        }

        before = rig.commands().size();
        rig.driver.setStall(GPU, true);
        assertThat(commandsAfter(before)).filteredOn(c -> !(c instanceof Command.Sync)).containsExactly(ste, cd0, cd3);
    }

    @Test
    void theSwitchChangesOneWordAtATimeSoTrafficKeepsTranslating() throws Exception {
        gpuWithTwoContexts();
        TranslationTable table = rig.stage1();
        table.map(0x4000, 0x9000_0000L, 0x1000, Protection.READ_WRITE);
        rig.driver.attachStage1(GPU, 5, Domain.unmanaged("gpu0-ctx5"), table);
        DmaDevice gpu = rig.device("gpu0", SID);
        AtomicBoolean done = new AtomicBoolean();
        List<DmaStatus> failures = new CopyOnWriteArrayList<>();
        Thread traffic = new Thread(() -> {
            while (!done.get()) {
                DmaStatus s = gpu.read(5, 0x4008, 8, WAIT).status();
                if (s != DmaStatus.COMPLETED) {
                    failures.add(s);
                }
            }
        });
        traffic.start();
        try {
            for (int i = 0; i < 200; i++) {
                rig.driver.setStall(GPU, i % 2 == 1);
            }
        } finally {
            done.set(true);
            traffic.join(WAIT.toMillis());
        }
        assertThat(failures).as("no access aborted by a half-written or aborting entry").isEmpty();
        assertThat(rig.smmu.statistics().eventsWritten()).isZero();
    }

    @Test
    void attachmentsMadeWhileStallIsOffFollowTheSetting() {
        gpuWithTwoContexts();
        rig.driver.setStall(GPU, false);
        rig.driver.attachStage1(GPU, 7, Domain.unmanaged("gpu0-ctx7"), rig.stage1());
        assertThat(rig.cd(rig.ste(SID), 7).stall()).isFalse();
        assertThat(rig.ste(SID).s1Stalld()).isTrue();

        rig.driver.setStall(GPU, true);
        assertThat(rig.cd(rig.ste(SID), 7).stall()).isTrue();
    }

    @Test
    void aStage2StreamSwitchesS2S() {
        gpuWithTwoContexts();
        rig.driver.attachStage2(GPU, Domain.unmanaged("gpu0-s2"),
                Stage2Tables.of(TranslationTable.stage2(rig.machine.frames(), 40)));
        assertThat(rig.ste(SID).s2Stall()).isTrue();
        rig.driver.setStall(GPU, false);
        assertThat(rig.ste(SID).s2Stall()).isFalse();
        assertThat(rig.ste(SID).s1Stalld()).isTrue();
        assertThat(rig.ste(SID).config()).isEqualTo(StreamTableEntry.CFG_NESTED);
        rig.driver.setStall(GPU, true);
        assertThat(rig.ste(SID).s2Stall()).isTrue();
        assertThat(rig.ste(SID).s1Stalld()).isFalse();
    }

    @Test
    void aHandlerMaySwitchStallOffForTheFaultsThatFollow() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), rig.stage1());
        List<Boolean> recoverable = new CopyOnWriteArrayList<>();
        rig.handleDomain("gpu0", (FaultGroup g) -> {
            recoverable.add(g.recoverable());
            if (g.recoverable()) {
                rig.driver.setStall(GPU, false); // adreno_fault_handler, on the fault thread
            }
            g.respond(ResponseCode.INVALID);
        });
        DmaDevice gpu = rig.device("gpu0", SID);

        assertThat(gpu.read(Pasid.NONE, 0x1000, 8, WAIT).stalls()).isEqualTo(1);
        DmaResult second = gpu.read(Pasid.NONE, 0x2000, 8, WAIT);

        assertThat(second.status()).isEqualTo(DmaStatus.ABORTED);
        assertThat(second.stalls()).isZero();
        BackendRig.await(() -> recoverable.size() == 2, "both reports");
        assertThat(recoverable).containsExactly(true, false);
    }

    @Test
    void onlyADeviceThatCanStallBehindAStallAndTerminateSmmuCanSwitch() {
        gpuWithTwoContexts();
        assertThat(rig.driver.canSwitchStall(GPU)).isTrue();
        assertThat(rig.driver.canSwitchStall(DSP)).isFalse();
        assertThat(rig.driver.canSwitchStall(NIC)).isFalse();
        assertThatThrownBy(() -> rig.driver.setStall(DSP, true)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("terminate");
        assertThatThrownBy(() -> rig.driver.setStall(NIC, false)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("PRI");
        assertThatThrownBy(() -> rig.driver.setStall(DeviceId.parse("platform:ghost"), false))
                .isInstanceOf(IllegalArgumentException.class);
        rig.close();

        rig = new BackendRig(SmmuFeatures.defaults().withStalls(2, 64), "platform:gpu0@smmuv3.0:0x42:stall");
        rig.start();
        assertThat(rig.driver.canSwitchStall(GPU)).as("STALL_MODEL 2: stalls are forced").isFalse();
        assertThatThrownBy(() -> rig.driver.setStall(GPU, false)).isInstanceOf(UnsupportedOperationException.class)
                .hasMessageContaining("STALL_MODEL is 2");
    }
}
