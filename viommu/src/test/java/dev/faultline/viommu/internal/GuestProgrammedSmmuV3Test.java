package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.VirtualSmmuRig.GPU;
import static dev.faultline.viommu.internal.VirtualSmmuRig.NIC;
import static dev.faultline.viommu.internal.VirtualSmmuRig.VSID_GPU;
import static dev.faultline.viommu.internal.VirtualSmmuRig.VSID_NIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.EventType;
import dev.faultline.viommu.GuestStatistics;
import dev.faultline.viommu.VirtualSmmuStatistics;
import dev.faultline.viommu.VirtualSte;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A guest kernel programs its virtual SMMUv3 through registers and guest memory only; its devices fault; the
 * guest reads SMMUv3 event records from its own event queue, made from permissions, address and PASID alone,
 * walks its own tables and answers stalls with CMD_RESUME through its own command queue.
 */
class GuestProgrammedSmmuV3Test {
    private static final long PAGE = 0x1000;
    private final VirtualSmmuRig rig = new VirtualSmmuRig();

    @AfterEach
    void close() {
        rig.close();
    }

    @Test
    void theGuestsStreamTableEntryAndContextDescriptorTakeEffectThroughItsCommands() {
        rig.guest.reset();
        assertThat(rig.binds).as("nothing installed before the guest's STE").isEmpty();
        TranslationTable table = rig.guest.attach(VSID_NIC, false, false);

        VirtualSte installed = rig.bound(NIC);
        assertThat(installed.mode()).isEqualTo(VirtualSte.Mode.STAGE1);
        assertThat(installed.s1CdMax()).isZero();
        assertThat(rig.bound(GPU)).as("the GPU's STE is still invalid").isNull();
        VirtualSmmuStatistics s = rig.smmu.statistics();
        assertThat(s.stesInstalled()).isEqualTo(1);
        assertThat(s.commandErrors()).isZero();
        assertThat(s.syncs()).isEqualTo(1);
        assertThat(rig.smmu.read32(dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_CONS))
                .as("every command consumed").isEqualTo(rig.guest.cmdqProd());

        // the same entry again is no change of owner for the host: nothing is re-bound
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());
        assertThat(rig.binds).hasSize(1);
        assertThat(table.root()).isPositive();
    }

    @Test
    void anUnrecoverableFaultLandsInTheGuestsEventQueueWithOnlyPermissionsAddressAndTheGuestsOwnReason() {
        rig.guest.reset();
        TranslationTable table = rig.guest.attach(VSID_NIC, false, false);
        long ring = 0x7f00_0010_0000L;
        table.map(ring, rig.guest.frames.allocatePage(), PAGE, Protection.READ);

        rig.fault(rig.nic, ring + 0x40, Permissions.WRITE);
        rig.fault(rig.nic, 0x7f00_0020_0000L, Permissions.READ);
        assertThat(rig.deliver()).isEqualTo(2);

        List<EventRecord> events = rig.guest.readEvents();
        assertThat(events).hasSize(2);
        EventRecord write = events.get(0);
        assertThat(write.type()).isEqualTo(EventType.F_PERMISSION);
        assertThat(write.sid()).as("the virtual StreamID, never the host's 0x100").isEqualTo(VSID_NIC);
        assertThat(write.inputAddress()).isEqualTo(ring + 0x40);
        assertThat(write.read()).isFalse();
        assertThat(write.stall()).isFalse();
        assertThat(write.stag()).as("no host STAG bits").isZero();
        assertThat(write.dword3()).as("no host fetch address").isZero();
        EventRecord read = events.get(1);
        assertThat(read.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(read.read()).isTrue();
        assertThat(rig.guest.readEvents()).as("CONS caught up with PROD").isEmpty();
        assertThat(rig.hostLog).as("the host prints nothing a guest caused").isEmpty();
    }

    @Test
    void aStallIsAnsweredByTheGuestsCmdResumeAfterItMapsThePageInItsOwnTables() {
        rig.guest.reset();
        TranslationTable table = rig.guest.attach(VSID_NIC, true, false);
        long va = 0x5000_0000L;
        rig.stall(rig.nic, 0x77, va, Permissions.READ_WRITE);
        assertThat(rig.deliver()).isEqualTo(1);

        EventRecord stall = rig.guest.readEvents().get(0);
        assertThat(stall.stall()).isTrue();
        assertThat(stall.type()).as("the guest's own table has nothing there").isEqualTo(EventType.F_TRANSLATION);
        assertThat(stall.sid()).isEqualTo(VSID_NIC);
        assertThat(stall.inputAddress()).isEqualTo(va);
        assertThat(rig.answers.of(NIC)).as("nothing answered before the guest").isEmpty();

        table.map(va, rig.guest.frames.allocatePage(), PAGE, Protection.READ_WRITE);
        rig.guest.resume(stall, true);

        assertThat(rig.answers.of(NIC)).singleElement().satisfies(a -> {
            assertThat(a.groupId()).as("the host's STAG").isEqualTo(0x77);
            assertThat(a.code()).isEqualTo(ResponseCode.SUCCESS);
        });
        GuestStatistics g = rig.viommu.statistics();
        assertThat(g.accepted()).isEqualTo(1);
        assertThat(rig.smmu.statistics().resumes()).isEqualTo(1);
    }

    @Test
    void aResumeWithAForgedStaleOrAnotherStreamsStagIsRefusedCountedAndReachesNoGroup() {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, false);
        rig.guest.attach(VSID_GPU, true, false);
        rig.stall(rig.nic, 0x10, 0x5000_0000L, Permissions.READ);
        rig.stall(rig.gpu, 0x20, 0x6000_0000L, Permissions.READ);
        rig.deliver();
        List<EventRecord> stalls = rig.guest.readEvents();
        assertThat(stalls).hasSize(2);
        EventRecord nicStall = stalls.get(0);
        EventRecord gpuStall = stalls.get(1);

        rig.guest.submit(new Command.Resume(VSID_GPU, nicStall.stag() == gpuStall.stag() ? nicStall.stag() + 1
                : nicStall.stag(), true, false));                                   // the NIC's STAG on the GPU
        rig.guest.submit(new Command.Resume(VSID_NIC, 0xfff0, true, false));        // never issued
        assertThat(rig.answers.of(NIC)).isEmpty();
        assertThat(rig.answers.of(GPU)).isEmpty();

        rig.guest.resume(nicStall, false);                                          // abort: INVALID
        rig.guest.resume(nicStall, true);                                           // replayed
        assertThat(rig.answers.of(NIC)).singleElement().satisfies(a -> assertThat(a.code())
                .isEqualTo(ResponseCode.INVALID));
        assertThat(rig.answers.of(GPU)).isEmpty();
        assertThat(rig.smmu.statistics().resumesRefused()).isEqualTo(3);
        assertThat(rig.smmu.statistics().commandErrors()).as("a no-op in hardware, not an error").isZero();

        rig.guest.resume(gpuStall, true);
        assertThat(rig.answers.of(GPU)).singleElement().satisfies(a -> {
            assertThat(a.groupId()).isEqualTo(0x20);
            assertThat(a.code()).isEqualTo(ResponseCode.SUCCESS);
        });
    }

    @Test
    void reprogrammingAStreamAnswersItsStallsThroughTheHostAndItsOldStagsAreRefused() {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, false);
        rig.stall(rig.nic, 0x31, 0x5000_0000L, Permissions.READ);
        rig.deliver();
        EventRecord stall = rig.guest.readEvents().get(0);

        rig.guest.writeSteWords(VSID_NIC, 1);                         // V = 1, Config = abort
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());
        assertThat(rig.bound(NIC)).isEqualTo(VirtualSte.ABORT);
        assertThat(rig.answers.of(NIC)).as("the host's change of owner answered it").singleElement()
                .satisfies(a -> assertThat(a.code()).isEqualTo(ResponseCode.INVALID));

        rig.guest.resume(stall, true);
        assertThat(rig.answers.of(NIC)).hasSize(1);
        assertThat(rig.smmu.statistics().resumesRefused()).isEqualTo(1);
    }

    @Test
    void aStallTermAbortsEveryStallOfTheStreamOnce() {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, false);
        rig.stall(rig.nic, 1, 0x5000_0000L, Permissions.READ);
        rig.stall(rig.nic, 2, 0x5000_1000L, Permissions.READ);
        rig.deliver();
        List<EventRecord> stalls = rig.guest.readEvents();

        rig.guest.submit(new Command.StallTerm(VSID_NIC), Command.Sync.sev());
        rig.guest.resume(stalls.get(0), true);

        assertThat(rig.answers.of(NIC)).hasSize(2).allSatisfy(a -> assertThat(a.code())
                .isEqualTo(ResponseCode.INVALID));
        assertThat(rig.smmu.statistics().stallsTerminated()).isEqualTo(2);
        assertThat(rig.smmu.statistics().resumesRefused()).isEqualTo(1);
    }

    @Test
    void substreamsEachGetTheirOwnContextDescriptor() {
        rig.guest.reset();
        TranslationTable plain = rig.guest.stage1();
        TranslationTable process = rig.guest.stage1();
        long cds = rig.guest.cdTable(2);
        rig.guest.writeCd(cds, 0, plain, false);
        rig.guest.writeCd(cds, 3, process, false);
        rig.guest.writeSte(VSID_NIC, cds, 2, 2, false);                          // S1DSS = use CD 0
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());
        long va = 0x4000_0000L;
        process.map(va, rig.guest.frames.allocatePage(), PAGE, Protection.READ);

        rig.nic.reportUnrecoverable(dev.faultline.api.fault.UnrecoverableFault.ADDR_VALID
                | dev.faultline.api.fault.UnrecoverableFault.PASID_VALID, 3, Permissions.WRITE, va, 0,
                dev.faultline.api.fault.HardwareRecord.NONE);
        rig.fault(rig.nic, va, Permissions.WRITE);
        rig.deliver();

        List<EventRecord> events = rig.guest.readEvents();
        assertThat(events).extracting(EventRecord::type, EventRecord::ssv, EventRecord::ssid).containsExactly(
                org.assertj.core.groups.Tuple.tuple(EventType.F_PERMISSION, true, 3),
                org.assertj.core.groups.Tuple.tuple(EventType.F_TRANSLATION, false, 0));
        assertThat(rig.bound(NIC).s1CdMax()).isEqualTo(2);
    }
}
