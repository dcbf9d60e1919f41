package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.VirtualVtdRig.GPU;
import static dev.faultline.viommu.internal.VirtualVtdRig.NIC;
import static dev.faultline.viommu.internal.VirtualVtdRig.VRID_GPU;
import static dev.faultline.viommu.internal.VirtualVtdRig.VRID_NIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.FaultRecord;
import dev.faultline.platform.vtd.FaultStatus;
import dev.faultline.platform.vtd.InvalidationWait;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.platform.x86.PageProtection;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.VirtualPasidEntry;
import dev.faultline.viommu.VirtualVtd;
import dev.faultline.viommu.VirtualVtdOptions;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A guest kernel programs its virtual VT-d unit as Linux's intel-iommu does ({@link GuestVtdDriver}), with the
 * real core between a reporting IOMMU and the guest: its PASID entries take effect through its own
 * invalidations, its devices' faults land in its fault recording registers as the records its own tables give,
 * its page requests in its page request queue, and its page group responses answer them, once.
 */
class GuestProgrammedVtdTest {
    private static final int PASID = 5;
    private static final long VA = 0x7f00_0040_0000L;
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;

    private VirtualVtdRig rig = new VirtualVtdRig();
    private FirstLevelPageTable table;

    @AfterEach
    void close() {
        rig.close();
        assertThat(rig.hostLog).as("nothing a guest caused is printed on the host").isEmpty();
    }

    /** The guest's process: one writable page and one read-only page. */
    private void attachNic(boolean pageRequests) {
        table = new FirstLevelPageTable(rig.guest.frames, FirstLevelPageTable.PAGE_4K);
        table.map(VA, rig.guest.frames.allocatePage(), PAGE, PageProtection.READ_WRITE);
        table.map(VA + PAGE, rig.guest.frames.allocatePage(), PAGE, PageProtection.READ_ONLY);
        assertThat(rig.guest.probe(true)).isTrue();
        assertThat(rig.guest.attach(VRID_NIC, PASID, table.root(), pageRequests, false)).isTrue();
    }

    @Test
    void theGuestsPasidEntryReachesTheHostThroughItsOwnInvalidationsOnly() {
        assertThat(rig.guest.probe(true)).isTrue();
        table = new FirstLevelPageTable(rig.guest.frames, FirstLevelPageTable.PAGE_4K);
        long context = rig.guest.contextEntry(VRID_NIC);
        assertThat(rig.binds).isEmpty();
        assertThat(rig.guest.attach(VRID_NIC, PASID, table.root(), true, true)).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(new VirtualPasidEntry(VirtualPasidEntry.Mode.FIRST_LEVEL,
                table.root(), true, false));
        assertThat(rig.bound(NIC, Pasid.NONE)).as("no RID_PASID entry yet").isNull();
        assertThat(rig.bound(GPU, PASID)).isNull();
        assertThat(context).isPositive();

        // the guest clears the entry's present bit: nothing happens until it invalidates the PASID cache
        long entry = rig.guest.pasidEntryAddress(VRID_NIC, PASID);
        rig.ram.write64(entry, rig.ram.read64(entry) & ~1L);
        assertThat(rig.binds).hasSize(1);
        assertThat(rig.guest.submit(GuestVtdDriver.pasidCacheSelective(PASID))).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(VirtualPasidEntry.ABORT);
        assertThat(rig.binds).hasSize(2);
        // an invalidation that changes nothing binds nothing (a re-bind would be a change of owner)
        assertThat(rig.guest.submit(GuestVtdDriver.pasidCacheGlobal(), GuestVtdDriver.contextCacheGlobal())).isTrue();
        assertThat(rig.binds).hasSize(2);
        assertThat(rig.unit.statistics().entriesRefused()).isZero();
        assertThat(rig.unit.statistics().descriptorErrors()).isZero();
    }

    @Test
    void aFaultReachesTheGuestsFaultRecordsAsItsOwnTablesGiveItAndNothingOfTheHostsRecord() {
        attachNic(true);
        rig.fault(rig.nic, PASID, VA + PAGE + 0x10, Permissions.WRITE);     // a write to the read-only page
        rig.fault(rig.nic, PASID, VA + 8 * PAGE, Permissions.READ);         // a read of an unmapped page
        assertThat(rig.deliver()).isEqualTo(2);
        assertThat(rig.unit.takeInterrupts()).isEqualTo(VirtualVtd.FAULT_EVENT);

        FaultStatus status = new FaultStatus(rig.unit.read32(RegisterMap.FSTS));
        assertThat(status.primaryPendingFault()).isTrue();
        assertThat(status.faultRecordIndex()).isZero();
        List<FaultRecord> faults = rig.guest.readFaults();
        assertThat(faults).containsExactly(
                FaultRecord.of(VRID_NIC, PASID, VA + PAGE, false, false, false, 0x85),
                FaultRecord.of(VRID_NIC, PASID, VA + 8 * PAGE, true, false, false, 0x71));
        assertThat(new FaultStatus(rig.unit.read32(RegisterMap.FSTS)).primaryPendingFault()).isFalse();
        assertThat(rig.unit.statistics().faultsRecorded()).isEqualTo(2);
    }

    @Test
    void aFaultWhosePageTheGuestMappedMeanwhileIsATranslationFaultAndCountedAsStale() {
        attachNic(true);
        // the device's read faulted; while the host's report was on its way the guest mapped the page
        table.map(VA + 8 * PAGE, rig.guest.frames.allocatePage(), PAGE, PageProtection.READ_WRITE);
        rig.fault(rig.nic, PASID, VA + 8 * PAGE, Permissions.READ);
        rig.deliver();
        assertThat(rig.guest.readFaults()).containsExactly(
                FaultRecord.of(VRID_NIC, PASID, VA + 8 * PAGE, true, false, false, 0x71));
        assertThat(rig.viommu.statistics().staleWalks()).isEqualTo(1);
    }

    @Test
    void pageRequestsGoToTheGuestsQueueAndItsResponsesAnswerThemOnce() {
        attachNic(true);
        long page = VA + 4 * PAGE;
        rig.pageRequest(rig.nic, PASID, 0x1a, page, Permissions.WRITE, false);
        rig.pageRequest(rig.nic, PASID, 0x1a, page + PAGE, Permissions.WRITE, true);
        assertThat(rig.deliver()).isEqualTo(2);
        assertThat(rig.unit.takeInterrupts()).isEqualTo(VirtualVtd.PAGE_REQUEST_EVENT);

        List<PageRequestDescriptor> requests = rig.guest.readPageRequests();
        assertThat(requests).hasSize(2);
        PageRequestDescriptor last = requests.get(1);
        assertThat(last.requesterId()).isEqualTo(VRID_NIC);
        assertThat(last.pasidPresent()).isTrue();
        assertThat(last.pasid()).isEqualTo(PASID);
        assertThat(last.write()).isTrue();
        assertThat(last.lastInGroup()).isTrue();
        assertThat(requests.get(0).lastInGroup()).isFalse();
        assertThat(requests.get(0).groupIndex()).isEqualTo(last.groupIndex());
        assertThat(last.address()).isEqualTo(page + PAGE);

        // forged: another group index, another device, another PASID; then the real answer; then a replay
        int index = last.groupIndex();
        assertThat(rig.guest.submit(GuestVtdDriver.response(VRID_NIC, true, PASID, (index + 1) & 0x1ff, 0),
                GuestVtdDriver.response(VRID_GPU, true, PASID, index, 0),
                GuestVtdDriver.response(VRID_NIC, true, PASID + 1, index, 0),
                GuestVtdDriver.response(VRID_NIC, false, 0, index, 0))).isTrue();
        assertThat(rig.answers.of(NIC)).isEmpty();
        table.map(page, rig.guest.frames.allocatePage(), 2 * PAGE, PageProtection.READ_WRITE);
        assertThat(rig.guest.respond(last, PageGroupResponse.SUCCESS)).isTrue();
        assertThat(rig.guest.respond(last, PageGroupResponse.SUCCESS)).isTrue();    // replayed

        assertThat(rig.answers.of(NIC)).singleElement().satisfies(a -> {
            assertThat(a.groupId()).isEqualTo(0x1a);                         // the device's own group index
            assertThat(a.pasid()).isEqualTo(PASID);
            assertThat(a.code()).isEqualTo(ResponseCode.SUCCESS);
        });
        assertThat(rig.unit.statistics().responses()).isEqualTo(1);
        assertThat(rig.unit.statistics().responsesRefused()).isEqualTo(5);
        assertThat(rig.unit.statistics().descriptorErrors()).isZero();
    }

    @Test
    void aDrainingWaitBringsTheRequestsAlreadyReportedIntoTheQueueAndAnInterruptingWaitSetsIwc() {
        attachNic(true);
        rig.unit.takeInterrupts();
        rig.pageRequest(rig.nic, PASID, 0x33, VA + 4 * PAGE, Permissions.READ, true); // the VMM thread is behind
        InvalidationWait drain = new InvalidationWait(true, true, false, true, InvalidationWait.QI_DONE,
                rig.guest.status);                                      // IF, SW, PD: Linux's QI_OPT_WAIT_DRAIN
        rig.guest.submitRaw(List.of(new long[] {drain.qw0(), drain.qw1()}));
        assertThat(rig.ram.read64(rig.guest.status)).isEqualTo(InvalidationWait.QI_DONE);
        assertThat(rig.unit.read32(RegisterMap.ICS)).isEqualTo(RegisterMap.ICS_IWC);
        assertThat(rig.unit.takeInterrupts()).isEqualTo(VirtualVtd.PAGE_REQUEST_EVENT);
        // Linux leaves the invalidation event masked: it is latched in IECTL.IP and sent once unmasked
        assertThat(rig.unit.read32(RegisterMap.IECTL)).isEqualTo(RegisterMap.EVENT_IM | RegisterMap.EVENT_IP);
        rig.unit.write32(RegisterMap.IECTL, 0);
        assertThat(rig.unit.takeInterrupts()).isEqualTo(VirtualVtd.INVALIDATION_EVENT);
        assertThat(rig.unit.read32(RegisterMap.IECTL)).isZero();
        assertThat(rig.guest.readPageRequests()).singleElement()
                .satisfies(r -> assertThat(r.address()).isEqualTo(VA + 4 * PAGE));
        assertThat(rig.unit.statistics().waits()).isEqualTo(3);          // probe's, attach's, and this one
    }

    @Test
    void responseFailureAndReservedCodesAnswerInvalid() {
        attachNic(true);
        rig.pageRequest(rig.nic, PASID, 3, VA + 4 * PAGE, Permissions.READ, true);
        rig.pageRequest(rig.nic, PASID, 4, VA + 5 * PAGE, Permissions.READ, true);
        rig.deliver();
        List<PageRequestDescriptor> requests = rig.guest.readPageRequests();
        assertThat(rig.guest.respond(requests.get(0), PageGroupResponse.FAILURE)).isTrue();
        assertThat(rig.guest.respond(requests.get(1), 2)).isTrue(); // Linux's raw IOMMU_PAGE_RESP_FAILURE
        assertThat(rig.answers.of(NIC)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.INVALID, ResponseCode.INVALID);
    }

    @Test
    void aDeviceWhoseContextForbidsPageRequestsFaults0x47AndIsAnsweredInvalid() {
        attachNic(false);
        rig.pageRequest(rig.nic, PASID, 7, VA + 4 * PAGE, Permissions.READ, true);
        rig.deliver();
        assertThat(rig.guest.readPageRequests()).isEmpty();
        List<FaultRecord> faults = rig.guest.readFaults();
        assertThat(faults).singleElement().satisfies(f -> {
            assertThat(f.reasonCode()).isEqualTo(0x47);
            assertThat(f.sourceId()).isEqualTo(VRID_NIC);
            assertThat(f.typeBit2()).isTrue();
        });
        assertThat(rig.answers.of(NIC)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.INVALID);
        assertThat(rig.unit.statistics().pageRequestsRefused()).isEqualTo(1);
    }

    @Test
    void aReprogrammedPasidsGroupsAreTheHostsToAnswerAndTheGuestsLaterResponseIsStale() {
        attachNic(true);
        rig.pageRequest(rig.nic, PASID, 9, VA + 4 * PAGE, Permissions.READ, true);
        rig.deliver();
        PageRequestDescriptor request = rig.guest.readPageRequests().get(0);
        FirstLevelPageTable other = new FirstLevelPageTable(rig.guest.frames, FirstLevelPageTable.PAGE_4K);
        assertThat(rig.guest.attach(VRID_NIC, PASID, other.root(), true, false)).isTrue(); // a new address space
        assertThat(rig.answers.of(NIC)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.INVALID);                  // the change of owner answered it
        assertThat(rig.guest.respond(request, PageGroupResponse.SUCCESS)).isTrue();
        assertThat(rig.answers.of(NIC)).hasSize(1);
        assertThat(rig.unit.statistics().responsesRefused()).isEqualTo(1);
    }

    @Test
    void faultsBeyondTheFreeRecordsOverflowAndCompressionCollapsesThemPerSource() {
        for (boolean compress : new boolean[] {false, true}) {
            rig.close();
            rig = new VirtualVtdRig(VirtualVtdOptions.STANDARD.withCompressFaults(compress),
                    new GuestLimits(64, 64, 0, 1, 0));
            attachNic(true);
            for (int i = 0; i < 12; i++) {
                rig.fault(rig.nic, PASID, VA + (16 + i) * PAGE, Permissions.READ);
            }
            rig.deliver();
            FaultStatus status = new FaultStatus(rig.unit.read32(RegisterMap.FSTS));
            List<FaultRecord> faults = rig.guest.readFaults();
            if (compress) {
                assertThat(status.primaryFaultOverflow()).isFalse();
                assertThat(faults).hasSize(1);
                assertThat(rig.unit.statistics().faultsCompressed()).isEqualTo(11);
            } else {
                assertThat(status.primaryFaultOverflow()).isTrue();
                assertThat(faults).hasSize(8);
                assertThat(faults.get(7).address()).isEqualTo(VA + 23 * PAGE);
                assertThat(rig.unit.statistics().faultsOverflowed()).isEqualTo(4);
            }
            assertThat(rig.viommu.statistics().routed()).isEqualTo(12);
        }
    }

    @Test
    void faultProcessingDisableSuppressesTheGuestsRecords() {
        attachNic(true);
        long entry = rig.guest.pasidEntryAddress(VRID_NIC, PASID);
        rig.ram.write64(entry, rig.ram.read64(entry) | 2);                   // FPD
        assertThat(rig.guest.submit(GuestVtdDriver.pasidCacheSelective(PASID))).isTrue();
        rig.fault(rig.nic, PASID, VA + 8 * PAGE, Permissions.READ);
        rig.deliver();
        assertThat(rig.guest.readFaults()).isEmpty();
        assertThat(rig.unit.statistics().faultsSuppressed()).isEqualTo(1);
    }
}
