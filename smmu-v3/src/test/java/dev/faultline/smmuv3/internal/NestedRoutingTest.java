package dev.faultline.smmuv3.internal;

import static dev.faultline.smmuv3.internal.BackendRig.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.backend.Domain;
import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.DmaResult;
import dev.faultline.platform.dma.DmaStatus;
import dev.faultline.platform.memory.FrameAllocator;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;
import dev.faultline.smmuv3.GuestStage1;
import dev.faultline.smmuv3.Stage2Tables;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A device given to a guest: its stage-1 faults are the guest's, its stage-2 faults the host's. */
class NestedRoutingTest {
    private static final DeviceId VF = DeviceId.parse("platform:vf0");
    private static final long WINDOW = 16L << 20;

    private BackendRig rig;
    private TranslationTable guestS1;
    private long window;
    private final List<EndToEndTest.Seen> guestSaw = new CopyOnWriteArrayList<>();

    @AfterEach
    void close() {
        rig.close();
    }

    /** Guest RAM identity-mapped at stage 2; the guest builds its stage-1 table and CD there. */
    private void giveToGuest(String node, boolean guestHandler) {
        rig = new BackendRig(node);
        rig.start();
        window = rig.machine.frames().allocate(WINDOW, 2L << 20);
        TranslationTable s2 = TranslationTable.stage2(rig.machine.frames(), 40);
        s2.map(window, window, WINDOW, Protection.READ_WRITE);
        FrameAllocator guestFrames = new FrameAllocator(rig.machine.memory(), window, WINDOW);
        guestS1 = TranslationTable.stage1(guestFrames, 48);
        long cd = guestFrames.allocate(64, 64);
        long[] d = ContextDescriptor.linux(48, 5, 1, guestS1.root(), node.endsWith(":stall")).encode();
        for (int i = 0; i < d.length; i++) {
            rig.machine.memory().write64(cd + 8L * i, d[i]);
        }
        rig.driver.attachNested(VF, Domain.nested("vm1-vf0", "vm1"), GuestStage1.single(cd), Stage2Tables.of(s2));
        if (guestHandler) {
            rig.handleGuestDomain("vm1-vf0", "vm1", g -> {
                guestSaw.add(EndToEndTest.Seen.of(g));
                if (g.recoverable()) {
                    guestS1.map(g.address(0) & ~0xfffL, window + 0x80_0000L, 0x1000, Protection.READ_WRITE);
                    g.respond(ResponseCode.SUCCESS);
                }
            });
        }
    }

    @Test
    void guestStage1FaultReachesTheGuestHandlerWithTheRawRecordAndIsNotPrinted() {
        giveToGuest("platform:vf0@smmuv3.0:0x50", true);
        DmaResult r = rig.device("vf0", 0x50).read(Pasid.NONE, 0x7f00_0000_1000L, 8, WAIT);
        assertThat(r.status()).isEqualTo(DmaStatus.ABORTED);
        BackendRig.await(() -> guestSaw.size() == 1, "the guest's fault");
        EndToEndTest.Seen s = guestSaw.get(0);
        assertThat(s.recoverable()).isFalse();
        assertThat(s.record().format()).isEqualTo(EventRecord.FORMAT);
        EventRecord e = EventRecord.decode(s.record().words());
        assertThat(e.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(e.sid()).isEqualTo(0x50);
        assertThat(e.s2()).isFalse();
        assertThat(e.inputAddress()).isEqualTo(0x7f00_0000_1000L);
        assertThat(rig.log.count("received")).isZero();
        assertThat(rig.coreLog).isEmpty();
        assertThat(rig.driver.statistics().guestFaultsForwarded()).isEqualTo(1);
    }

    @Test
    void guestFaultWithoutAGuestHandlerIsStillNeverPrintedByTheHost() {
        giveToGuest("platform:vf0@smmuv3.0:0x50", false);
        rig.device("vf0", 0x50).read(Pasid.NONE, 0x7f00_0000_1000L, 8, WAIT);
        BackendRig.await(() -> rig.driver.statistics().guestFaultsForwarded() == 1, "the report");
        // counted as forwarded just before the report call: wait for the core's side of it
        BackendRig.await(() -> rig.core.statistics().totals().noHandler() == 1, "the core's count");
        assertThat(rig.log.count("received")).isZero();
        assertThat(rig.coreLog).isEmpty();
    }

    @Test
    void stage2FaultOfAGuestDeviceIsTheHostsAndIsPrinted() {
        giveToGuest("platform:vf0@smmuv3.0:0x50", true);
        guestS1.map(0x1000, 0x8000_0000L, 0x1000, Protection.READ_WRITE); // an IPA outside the guest's RAM
        rig.device("vf0", 0x50).read(Pasid.NONE, 0x1000, 8, WAIT);
        BackendRig.await(() -> rig.log.count("received") == 1, "the host's print");
        assertThat(rig.log.lines()).anyMatch(l -> l.contains("event: F_TRANSLATION client: vf0 sid: 0x50")
                && l.contains("ipa: 0x80000000"));
        assertThat(rig.log.lines()).anyMatch(l -> l.endsWith("unpriv data read s2 \"Input address caused fault\" stag: 0x0"));
        assertThat(guestSaw).isEmpty();
    }

    @Test
    void aGuestFloodingStage2FaultsUsesUpOnlyItsOwnPrintLimit() {
        rig = new BackendRig("platform:vf0@smmuv3.0:0x50", "platform:dsp0@smmuv3.0:0x60");
        rig.start();
        long ram = rig.machine.frames().allocate(WINDOW, 2L << 20);
        TranslationTable s2 = TranslationTable.stage2(rig.machine.frames(), 40);
        s2.map(ram, ram, WINDOW, Protection.READ_WRITE);
        FrameAllocator guestFrames = new FrameAllocator(rig.machine.memory(), ram, WINDOW);
        TranslationTable s1 = TranslationTable.stage1(guestFrames, 48);
        s1.map(0x1000, 0x8000_0000L, 0x1000, Protection.READ_WRITE);      // an IPA outside the guest's RAM
        long cd = guestFrames.allocate(64, 64);
        long[] d = ContextDescriptor.linux(48, 5, 1, s1.root(), false).encode();
        for (int i = 0; i < d.length; i++) {
            rig.machine.memory().write64(cd + 8L * i, d[i]);
        }
        rig.driver.attachNested(VF, Domain.nested("vm1-vf0", "vm1"), GuestStage1.single(cd), Stage2Tables.of(s2));
        rig.driver.attachStage1(DeviceId.parse("platform:dsp0"), Pasid.NONE, Domain.unmanaged("dsp0"), rig.stage1());
        for (int i = 0; i < 15; i++) {
            rig.device("vf0", 0x50).read(Pasid.NONE, 0x1000, 8, WAIT);
        }
        BackendRig.await(() -> rig.driver.statistics().printsSuppressed() == 5, "the guest's 5 suppressed prints");
        assertThat(rig.log.count("event 0x10 received")).isEqualTo(10);

        rig.device("dsp0", 0x60).read(Pasid.NONE, 0x10_0000L, 8, WAIT);  // a host device, unhandled
        BackendRig.await(() -> rig.log.count("event 0x10 received") == 11, "the host device's line");
        assertThat(rig.log.lines()).anyMatch(l -> l.contains("client: dsp0 sid: 0x60"));
        assertThat(rig.log.lines()).noneMatch(l -> l.contains("callbacks suppressed"));
    }

    @Test
    void guestStallGoesToTheGuestHandlerAndResumesWhenItAnswers() {
        giveToGuest("platform:vf0@smmuv3.0:0x50:stall", true);
        DmaResult r = rig.device("vf0", 0x50).write(Pasid.NONE, 0x2000, new byte[] {5}, WAIT);
        assertThat(r.status()).isEqualTo(DmaStatus.COMPLETED);
        assertThat(rig.machine.memory().read8(window + 0x80_0000L)).isEqualTo(5);
        assertThat(guestSaw).hasSize(1);
        assertThat(guestSaw.get(0).recoverable()).isTrue();
    }
}
