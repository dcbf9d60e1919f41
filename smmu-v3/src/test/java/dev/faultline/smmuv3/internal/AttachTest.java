package dev.faultline.smmuv3.internal;

import static dev.faultline.smmuv3.internal.BackendRig.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.machine.DeviceNode;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.Stage1Tables;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What attachments program into STEs and CDs, and what the core is told. */
class AttachTest {
    private static final DeviceId GPU = DeviceId.parse("platform:gpu0");
    private static final DeviceId DSP = DeviceId.parse("platform:dsp0");
    private static final DeviceId NIC = DeviceId.parse("0000:03:00.0");

    private BackendRig rig;

    @BeforeEach
    void start() {
        rig = new BackendRig("platform:gpu0@smmuv3.0:0x42:stall", "platform:dsp0@smmuv3.0:0x60",
                "0000:03:00.0@smmuv3.0:0x300:pri");
        rig.start();
    }

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void devicesComeFromTheFirmwareAndStartBlocked() {
        assertThat(rig.driver.devices()).containsExactlyInAnyOrder(GPU, DSP, NIC);
        StreamTableEntry ste = rig.ste(0x42);
        assertThat(ste.valid()).isTrue();
        assertThat(ste.config()).isEqualTo(StreamTableEntry.CFG_ABORT);
    }

    @Test
    void stallDeviceGetsCdSAndNoS1Stalld() {
        TranslationTable t = rig.stage1();
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.unmanaged("gpu0"), t);
        StreamTableEntry ste = rig.ste(0x42);
        assertThat(ste.config()).isEqualTo(StreamTableEntry.CFG_S1_TRANS);
        assertThat(ste.s1Stalld()).isFalse();
        assertThat(ste.s1Fmt()).isEqualTo(2);
        assertThat(ste.s1CdMax()).isEqualTo(20);
        assertThat(ste.s1Dss()).isEqualTo(StreamTableEntry.S1DSS_SSID0);
        ContextDescriptor cd = rig.cd(ste, 0);
        assertThat(cd.valid()).isTrue();
        assertThat(cd.stall()).isTrue();
        assertThat(cd.record()).isTrue();
        assertThat(cd.ttb0()).isEqualTo(t.root());
        assertThat(cd.t0sz()).isEqualTo(16);
    }

    @Test
    void anSvaDomainIsRefusedOnADeviceThatCanNeitherStallNorSendPageRequests() {
        assertThatThrownBy(() -> rig.driver.attachStage1(DSP, Pasid.NONE, Domain.sva("proc"), rig.stage1()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("neither stall nor send page requests");
        assertThat(rig.ste(0x60).config()).as("nothing programmed").isEqualTo(StreamTableEntry.CFG_ABORT);
        rig.driver.attachStage1(GPU, Pasid.NONE, Domain.sva("proc-on-stall"), rig.stage1());
        rig.driver.attachStage1(NIC, 9, Domain.sva("proc-on-pri"), rig.stage1());
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        assertThat(rig.ste(0x60).config()).isEqualTo(StreamTableEntry.CFG_S1_TRANS);
    }

    @Test
    void terminatingDeviceGetsS1StalldAndPriDeviceGetsAts() {
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        assertThat(rig.ste(0x60).s1Stalld()).isTrue();
        assertThat(rig.cd(rig.ste(0x60), 0).stall()).isFalse();
        rig.driver.attachStage1(NIC, 9, Domain.sva("proc9"), rig.stage1());
        StreamTableEntry nic = rig.ste(0x300);
        assertThat(nic.eats()).isEqualTo(StreamTableEntry.EATS_TRANS);
        assertThat(nic.ppar()).isTrue();
        assertThat(rig.cd(nic, 9).valid()).isTrue();
        assertThat(rig.cd(nic, 9).asid()).isNotEqualTo(rig.cd(rig.ste(0x60), 0).asid());
    }

    @Test
    void stage1OverStage2TranslatesThroughBoth() {
        TranslationTable s2 = TranslationTable.stage2(rig.machine.frames(), 40);
        TranslationTable s1 = rig.stage1();
        s1.map(0x1000, 0x4000_0000L, 0x1000, Protection.READ_WRITE); // VA -> IPA
        s2.map(0x4000_0000L, 0x7000_0000L, 0x1000, Protection.READ_WRITE); // IPA -> PA
        // the stage-1 tables themselves must be reachable through stage 2: identity-map the frames they use
        s2.map(0x4000_0000L + 0x1000, 0x4000_0000L + 0x1000, 0x0ff_f000L, Protection.READ_WRITE);
        rig.driver.attachStage2(DSP, Domain.unmanaged("dsp0-s2"), Stage2Tables.of(s2));
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), s1);
        assertThat(rig.ste(0x60).config()).isEqualTo(StreamTableEntry.CFG_NESTED);
        assertThat(rig.device("dsp0", 0x60).read(Pasid.NONE, 0x1008, 8, WAIT).physicalAddress())
                .isEqualTo(0x7000_0008L);
    }

    @Test
    void nestedAttachCopiesTheGuestStage1AndMergesEvents() {
        TranslationTable s2 = TranslationTable.stage2(rig.machine.frames(), 40);
        rig.driver.attachStage1(GPU, 4, Domain.sva("p4"), rig.stage1());
        rig.driver.attachNested(GPU, Domain.nested("vm1-gpu", "vm1"), new GuestStage1(0x4000_0000L, 0, 2, 2),
                Stage2Tables.of(s2));
        StreamTableEntry ste = rig.ste(0x42);
        assertThat(ste.config()).isEqualTo(StreamTableEntry.CFG_NESTED);
        assertThat(ste.s1ContextPtr()).isEqualTo(0x4000_0000L);
        assertThat(ste.s1CdMax()).isEqualTo(2);
        assertThat(ste.s1Dss()).isEqualTo(2);
        assertThat(ste.mev()).isTrue();
        assertThat(ste.s2Stall()).isTrue();
        assertThat(ste.s2Ttb()).isEqualTo(s2.root());
        assertThat(ste.s2Sl0()).isEqualTo(s2.sl0());
        rig.driver.detach(GPU, Pasid.NONE);
        assertThat(rig.ste(0x42).config()).isEqualTo(StreamTableEntry.CFG_ABORT);
    }

    @Test
    void detachingThePasidLessStage1FallsBackToTheStage2DomainForRouting() {
        List<String> handled = new CopyOnWriteArrayList<>();
        rig.handleDomain("dsp0-s2", g -> handled.add("s2"));
        rig.handleDomain("dsp0", g -> handled.add("s1"));
        TranslationTable s2 = TranslationTable.stage2(rig.machine.frames(), 40);
        rig.driver.attachStage2(DSP, Domain.unmanaged("dsp0-s2"), Stage2Tables.of(s2));
        rig.driver.attachStage1(DSP, Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        rig.driver.detach(DSP, Pasid.NONE);
        assertThat(rig.ste(0x60).config()).isEqualTo(StreamTableEntry.CFG_S2_TRANS);
        rig.device("dsp0", 0x60).read(Pasid.NONE, 0x1000, 4, WAIT);
        BackendRig.await(() -> handled.size() == 1, "the stage-2 fault");
        assertThat(handled).containsExactly("s2");
    }

    @Test
    void badAttachmentsAreRejected() {
        Stage1Tables t = Stage1Tables.of(rig.stage1());
        assertThatThrownBy(() -> rig.driver.attachStage1(DeviceId.parse("platform:ghost"), Pasid.NONE,
                Domain.dma("x"), t)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not behind");
        assertThatThrownBy(() -> rig.driver.attachStage1(GPU, Pasid.NONE, Domain.nested("n", "vm"), t))
                .hasMessageContaining("attachNested");
        assertThatThrownBy(() -> rig.driver.attachNested(GPU, Domain.dma("d"), GuestStage1.single(0),
                new Stage2Tables(0x1000, 40, 1))).hasMessageContaining("not NESTED");
        assertThatThrownBy(() -> rig.driver.attachStage1(GPU, 0, Domain.dma("d"), t)).hasMessageContaining("PASID 0");
        assertThatThrownBy(() -> new Stage1Tables(0x1008, 48)).hasMessageContaining("aligned");
        assertThatThrownBy(() -> new GuestStage1(0x20, 0, 0, 0)).hasMessageContaining("64-byte");
        rig.driver.stop();
        assertThatThrownBy(() -> rig.driver.attachStage1(GPU, Pasid.NONE, Domain.dma("d"), t))
                .isInstanceOf(IllegalStateException.class);
    }

    @Test
    void hotPluggedDevicesAreAddedAndRemoved() {
        rig.machine.addDevice(DeviceNode.parse("platform:npu0@smmuv3.0:0x70:stall"));
        rig.machine.addDevice(DeviceNode.parse("platform:other@smmuv3.1:0x71"));
        assertThat(rig.driver.devices()).contains(DeviceId.parse("platform:npu0"))
                .doesNotContain(DeviceId.parse("platform:other"));
        assertThat(rig.ste(0x70).valid()).isTrue();
        rig.machine.removeDevice(DeviceId.parse("platform:npu0"));
        assertThat(rig.driver.devices()).doesNotContain(DeviceId.parse("platform:npu0"));
    }
}
