package dev.faultline.viommu.internal;

import static dev.faultline.viommu.internal.VirtualVtdRig.NIC;
import static dev.faultline.viommu.internal.VirtualVtdRig.VRID_NIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.DeviceId;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.memory.PhysicalMemory;
import dev.faultline.platform.vtd.FaultStatus;
import dev.faultline.platform.vtd.InvalidationWait;
import dev.faultline.platform.vtd.PageGroupResponse;
import dev.faultline.platform.vtd.PageRequestDescriptor;
import dev.faultline.platform.vtd.RegisterMap;
import dev.faultline.platform.x86.FirstLevelPageTable;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.VirtualPasidEntry;
import dev.faultline.viommu.VirtualVtd;
import dev.faultline.viommu.VirtualVtdOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A guest that programs its virtual VT-d unit badly or on purpose: every bad register write, table entry and
 * descriptor is refused and counted (a bad descriptor with FSTS.IQE, as the hardware does), floods are bounded,
 * every page request group the host holds for the guest gets exactly one answer, and nothing is printed.
 */
class HostileGuestVtdTest {
    private static final int PASID = 5;
    private static final long VA = 0x7f00_0040_0000L;
    private static final long PAGE = PhysicalMemory.PAGE_SIZE;

    private final VirtualVtdRig rig = new VirtualVtdRig();
    private final VirtualVtd unit = rig.unit;

    @AfterEach
    void close() {
        rig.close();
        assertThat(rig.hostLog).as("no host prints").isEmpty();
    }

    private long refused() {
        return unit.statistics().registerWritesRefused();
    }

    private FirstLevelPageTable attached() {
        FirstLevelPageTable table = new FirstLevelPageTable(rig.guest.frames, FirstLevelPageTable.PAGE_4K);
        assertThat(rig.guest.probe(true)).isTrue();
        assertThat(rig.guest.attach(VRID_NIC, PASID, table.root(), true, false)).isTrue();
        assertThat(rig.bound(NIC, PASID).mode()).isEqualTo(VirtualPasidEntry.Mode.FIRST_LEVEL);
        return table;
    }

    // ---- registers ------------------------------------------------------------------------------------------

    @Test
    void aLegacyModeOrOutOfRamRootTableIsNotLatched() {
        unit.write64(RegisterMap.RTADDR, rig.guest.rootTable);                              // TTM 00, legacy
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP);
        unit.write64(RegisterMap.RTADDR, VirtualVtdRig.RAM | RegisterMap.RTADDR_SMT);       // beyond guest RAM
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP);
        unit.write64(RegisterMap.RTADDR, rig.guest.rootTable | RegisterMap.RTADDR_SMT | 1); // reserved bit
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_SRTP);
        assertThat(unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_SRTP).isZero();
        assertThat(refused()).isEqualTo(3);
    }

    @Test
    void readOnlyUnknownAndReservedRegisterWritesAreIgnoredAndCounted() {
        long cap = unit.read64(RegisterMap.CAP);
        unit.write64(RegisterMap.CAP, 0);
        unit.write64(RegisterMap.ECAP, 0);
        unit.write64(RegisterMap.IQH, 0x40);
        unit.write32(RegisterMap.VER, 1);
        unit.write32(0x7f0, 1);
        unit.write32(RegisterMap.GCMD, 1 << 25);                                 // IRE: no interrupt remapping
        unit.write32(RegisterMap.FECTL, 0x1234);                                 // reserved bits
        unit.write32(RegisterMap.FSTS, 1 << 20);
        unit.write64(UnitFrcd.low(0), -1);                                       // FRCD's low qword is read-only
        assertThat(unit.read64(RegisterMap.CAP)).isEqualTo(cap);
        assertThat(unit.read64(RegisterMap.IQH)).isZero();
        assertThat(unit.read32(RegisterMap.GSTS)).isZero();
        assertThat(refused()).isEqualTo(9);
    }

    @Test
    void theInvalidationQueueRefusesBasesOutsideRamAndChangesWhileEnabled() {
        unit.write64(RegisterMap.IQA, (VirtualVtdRig.RAM - 4096) | RegisterMap.IQA_DW | 1); // runs past RAM
        unit.write32(RegisterMap.GCMD, RegisterMap.GCMD_QIE);
        assertThat(unit.read32(RegisterMap.GSTS) & RegisterMap.GCMD_QIE).isZero();
        unit.write64(RegisterMap.IQA, rig.guest.queue | 0x100);                  // reserved bit
        assertThat(refused()).isEqualTo(2);
        assertThat(rig.guest.probe(true)).isTrue();
        unit.write64(RegisterMap.IQA, rig.guest.queue + 0x4000);                 // while enabled
        unit.write64(RegisterMap.IQT, 0x1_0000_0000L);                           // reserved bits
        assertThat(unit.read64(RegisterMap.IQA)).isEqualTo(rig.guest.queue | RegisterMap.IQA_DW | 1);
        assertThat(refused()).isEqualTo(4);
    }

    // ---- table entries --------------------------------------------------------------------------------------

    static Stream<Arguments> badEntries() {
        return Stream.of(
                Arguments.of("PGTT 3 (nested: ECAP.NEST = 0)", 0, (LongUnaryOperator) v -> v & ~0x1c0L | 3L << 6),
                Arguments.of("PGTT 2 (second level only)", 0, (LongUnaryOperator) v -> v & ~0x1c0L | 2L << 6),
                Arguments.of("PGTT 4 (pass-through)", 0, (LongUnaryOperator) v -> v & ~0x1c0L | 4L << 6),
                Arguments.of("PGTT 7 (reserved)", 0, (LongUnaryOperator) v -> v | 7L << 6),
                Arguments.of("SLPTPTR (no second level)", 0, (LongUnaryOperator) v -> v | 0x12_3000L),
                Arguments.of("SLADE", 0, (LongUnaryOperator) v -> v | 1L << 9),
                Arguments.of("val[1] reserved bit 40", 1, (LongUnaryOperator) v -> v | 1L << 40),
                Arguments.of("ERE (ECAP.ERS = 0)", 2, (LongUnaryOperator) v -> v | 2),
                Arguments.of("FLPM 5-level (CAP.FL5LP = 0)", 2, (LongUnaryOperator) v -> v | 4),
                Arguments.of("val[2] reserved bit 9", 2, (LongUnaryOperator) v -> v | 1L << 9),
                Arguments.of("FLPTR beyond the address width", 2, (LongUnaryOperator) v -> v | 1L << 50),
                Arguments.of("val[3]", 3, (LongUnaryOperator) v -> 1),
                Arguments.of("val[6]", 6, (LongUnaryOperator) v -> 1L << 63));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badEntries")
    void aPasidEntryWithAReservedBitOrAnUnofferedFeatureIsRefusedAndAborts(String name, int word,
            LongUnaryOperator corrupt) {
        attached();
        long at = rig.guest.pasidEntryAddress(VRID_NIC, PASID) + 8L * word;
        rig.ram.write64(at, corrupt.applyAsLong(rig.ram.read64(at)));
        assertThat(rig.guest.submit(GuestVtdDriver.pasidCacheSelective(PASID))).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(VirtualPasidEntry.ABORT);
        assertThat(unit.statistics().entriesRefused()).isEqualTo(1);
    }

    @Test
    void reservedBitsInTheRootContextOrDirectoryEntryAbortTheDevice() {
        attached();
        long context = rig.guest.contextEntry(VRID_NIC);
        rig.ram.write64(context, rig.ram.read64(context) | 1L << 6);             // context qw0 [8:5]
        assertThat(rig.guest.submit(GuestVtdDriver.contextCacheGlobal())).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(VirtualPasidEntry.ABORT);
        rig.ram.write64(context, rig.ram.read64(context) & ~(1L << 6));
        assertThat(rig.guest.submit(GuestVtdDriver.contextCacheDevice(VRID_NIC))).isTrue();
        assertThat(rig.bound(NIC, PASID).mode()).isEqualTo(VirtualPasidEntry.Mode.FIRST_LEVEL);

        long root = rig.guest.rootTable + (VRID_NIC >>> 8) * 16L;
        rig.ram.write64(root, rig.ram.read64(root) | 0x10);                      // root entry [11:1]
        assertThat(rig.guest.submit(GuestVtdDriver.contextCacheGlobal())).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(VirtualPasidEntry.ABORT);
        rig.ram.write64(root, rig.ram.read64(root) & ~0x10L);

        long directory = rig.ram.read64(context) & ~0xfffL;
        rig.ram.write64(directory, rig.ram.read64(directory) | 0x100);           // directory entry [11:2]
        assertThat(rig.guest.submit(GuestVtdDriver.pasidCacheGlobal())).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(VirtualPasidEntry.ABORT);
        assertThat(unit.statistics().entriesRefused()).isGreaterThanOrEqualTo(3);
    }

    @Test
    void aTableBeyondGuestRamIsRefused() {
        attached();
        long context = rig.guest.contextEntry(VRID_NIC);
        long qw0 = rig.ram.read64(context);
        rig.ram.write64(context, (qw0 & 0xfffL) | (VirtualVtdRig.RAM + 0x10_0000L)); // the directory past RAM
        assertThat(rig.guest.submit(GuestVtdDriver.pasidCacheGlobal())).isTrue();
        assertThat(rig.bound(NIC, PASID)).isEqualTo(VirtualPasidEntry.ABORT);
        assertThat(unit.statistics().entriesRefused()).isPositive();
    }

    @Test
    void aHostThatRefusesTheBindLeavesThePasidAborting() {
        List<VirtualPasidEntry> bound = new ArrayList<>();
        GuestVtd strict = new GuestVtd(rig.viommu, rig.ram, (device, pasid, entry) -> {
            if (entry.mode() != VirtualPasidEntry.Mode.ABORT) {
                throw new IllegalStateException("the host has no second level for this guest");
            }
            bound.add(entry);
        }, VirtualVtdOptions.STANDARD, 8);
        strict.addDevice(DeviceId.parse("0000:05:00.0"), 0x0020);
        GuestVtdDriver driver = new GuestVtdDriver(rig.ram, strict);
        assertThat(driver.probe(true)).isTrue();
        FirstLevelPageTable table = new FirstLevelPageTable(driver.frames, FirstLevelPageTable.PAGE_4K);
        assertThat(driver.attach(0x0020, PASID, table.root(), true, false)).isTrue();
        // each invalidation that reads the entry tries again, is refused again, and leaves the PASID aborting
        assertThat(strict.statistics().entriesRefused()).isEqualTo(2);
        assertThat(strict.statistics().entriesInstalled()).isZero();
        assertThat(bound).containsOnly(VirtualPasidEntry.ABORT);
    }

    // ---- descriptors ----------------------------------------------------------------------------------------

    static Stream<Arguments> badDescriptors() {
        return Stream.of(
                Arguments.of("unknown type 0xf", new long[] {0xf}),
                Arguments.of("type 0x1f (a 256-bit type that does not exist)", new long[] {0xf | 1L << 9}),
                Arguments.of("interrupt entry cache (no interrupt remapping)", new long[] {0x4}),
                Arguments.of("page stream response (legacy)", new long[] {0xa}),
                Arguments.of("context-cache granularity 0", new long[] {0x1}),
                Arguments.of("context-cache qw1 set", new long[] {0x1 | 1L << 4, 1}),
                Arguments.of("PASID-cache granularity 2", new long[] {0x7 | 2L << 4}),
                Arguments.of("PASID-cache reserved bit 60", new long[] {0x7 | 3L << 4 | 1L << 60}),
                Arguments.of("IOTLB granularity 0", new long[] {0x2}),
                Arguments.of("PASID-IOTLB granularity 0", new long[] {0x6}),
                Arguments.of("wait with reserved bit 12", new long[] {0x5 | 1L << 12}),
                Arguments.of("wait status address beyond guest RAM",
                        new long[] {InvalidationWait.statusWrite(VirtualVtdRig.RAM, false).qw0(), VirtualVtdRig.RAM}),
                Arguments.of("page group response reserved bit 5", new long[] {0x9 | 1L << 5}),
                Arguments.of("page group response qw1 reserved bit 20", new long[] {0x9, 1L << 20}));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badDescriptors")
    void aBadDescriptorStopsTheQueueWithIqeUntilTheGuestReplacesItAndClearsIqe(String name, long[] bad) {
        assertThat(rig.guest.probe(true)).isTrue();
        rig.unit.takeInterrupts();
        long head = unit.read64(RegisterMap.IQH);
        rig.ram.write64(rig.guest.status, 0);
        InvalidationWait wait = InvalidationWait.statusWrite(rig.guest.status, false);
        rig.guest.submitRaw(List.of(bad, new long[] {wait.qw0(), wait.qw1()}));
        assertThat(new FaultStatus(unit.read32(RegisterMap.FSTS)).invalidationQueueError()).isTrue();
        assertThat(unit.read64(RegisterMap.IQH)).as("IQH stays at the bad descriptor").isEqualTo(head);
        assertThat(rig.ram.read64(rig.guest.status)).as("the wait behind it did not run").isZero();
        assertThat(unit.takeInterrupts()).isEqualTo(VirtualVtd.FAULT_EVENT);
        assertThat(unit.statistics().descriptorErrors()).isEqualTo(1);

        rig.guest.skipBadDescriptor();                                            // Linux's qi_check_fault
        assertThat(new FaultStatus(unit.read32(RegisterMap.FSTS)).invalidationQueueError()).isFalse();
        assertThat(rig.ram.read64(rig.guest.status)).isEqualTo(InvalidationWait.QI_DONE);
        assertThat(unit.read64(RegisterMap.IQH)).isEqualTo(unit.read64(RegisterMap.IQT));
    }

    @Test
    void aTailOffADescriptorOrBeyondTheQueueIsAnInvalidationQueueError() {
        assertThat(rig.guest.probe(true)).isTrue();
        unit.write32(RegisterMap.IQT, 0x10);                                     // bit 4 with 256-bit descriptors
        assertThat(new FaultStatus(unit.read32(RegisterMap.FSTS)).invalidationQueueError()).isTrue();
        unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_IQE);
        assertThat(new FaultStatus(unit.read32(RegisterMap.FSTS)).invalidationQueueError()).isTrue();
        unit.write32(RegisterMap.IQT, 0x2000);                                   // QS 1: 8 KiB
        unit.write32(RegisterMap.FSTS, RegisterMap.FSTS_IQE);
        assertThat(unit.statistics().descriptorErrors()).isEqualTo(3);
    }

    @Test
    void aFloodOfDescriptorsIsBoundedByTheQueueAndForgedResponsesAnswerNothing() {
        attached();
        rig.pageRequest(rig.nic, PASID, 1, VA, Permissions.READ, true);
        rig.deliver();
        PageRequestDescriptor shown = rig.guest.readPageRequests().get(0);
        List<long[]> flood = new ArrayList<>();
        for (int i = 0; i < GuestVtdDriver.QUEUE_ENTRIES - 1; i++) {
            flood.add(i % 2 == 0 ? GuestVtdDriver.pasidCacheGlobal()
                    : GuestVtdDriver.response(VRID_NIC, true, PASID, (shown.groupIndex() + 1 + i) & 0x1ff, 0));
        }
        long before = unit.statistics().descriptors();
        rig.guest.submitRaw(flood);
        assertThat(unit.statistics().descriptors() - before).isEqualTo(GuestVtdDriver.QUEUE_ENTRIES - 1);
        assertThat(unit.statistics().responsesRefused()).isEqualTo(127);
        assertThat(rig.answers.of(NIC)).isEmpty();
        assertThat(rig.guest.respond(shown, PageGroupResponse.INVALID)).isTrue();
        assertThat(rig.answers.of(NIC)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.INVALID);
    }

    // ---- page request queue ---------------------------------------------------------------------------------

    @Test
    void pageRequestQueueRegistersRefuseReservedBitsRamOutsideAndHeadsPastTheTail() {
        attached();
        long refusedBefore = refused();
        unit.write64(RegisterMap.PQA, rig.guest.pageRequests | 0x10);            // reserved [11:3]
        unit.write64(RegisterMap.PQA, VirtualVtdRig.RAM);                        // beyond RAM
        rig.pageRequest(rig.nic, PASID, 1, VA, Permissions.READ, true);
        rig.deliver();
        unit.write64(RegisterMap.PQH, 0x40);                                     // past PQT (0x20)
        unit.write64(RegisterMap.PQH, 0x11);                                     // not on a descriptor
        unit.write64(RegisterMap.PQT, 0);                                        // the unit owns PQT
        assertThat(refused() - refusedBefore).isEqualTo(5);
        assertThat(unit.read64(RegisterMap.PQH)).isZero();
        assertThat(unit.read64(RegisterMap.PQT)).isEqualTo(0x20);
    }

    @Test
    void aFullPageRequestQueueOverflowsAndEveryDiscardedGroupIsAnsweredOnce() {
        VirtualVtdRig big = new VirtualVtdRig(VirtualVtdOptions.STANDARD, new GuestLimits(512, 512, 0, 1, 0));
        try {
            FirstLevelPageTable table = new FirstLevelPageTable(big.guest.frames, FirstLevelPageTable.PAGE_4K);
            assertThat(big.guest.probe(true)).isTrue();
            assertThat(big.guest.attach(VRID_NIC, PASID, table.root(), true, false)).isTrue();
            big.unit.takeInterrupts();
            for (int i = 0; i < 130; i++) {                                      // 127 fit in one 4 KiB page
                big.pageRequest(big.nic, PASID, i, VA + i * PAGE, Permissions.READ, true);
            }
            big.deliver();
            assertThat(big.unit.read32(RegisterMap.PRS)).isEqualTo(RegisterMap.PRS_PPR | RegisterMap.PRS_PRO);
            assertThat(big.unit.statistics().pageRequestsQueued()).isEqualTo(127);
            assertThat(big.unit.statistics().pageRequestsDiscarded()).isEqualTo(3);
            assertThat(big.answers.of(NIC)).hasSize(3).allMatch(a -> a.code() == ResponseCode.SUCCESS);
            assertThat(big.unit.takeInterrupts()).isEqualTo(VirtualVtd.PAGE_REQUEST_EVENT);

            List<PageRequestDescriptor> requests = big.guest.readPageRequests(); // drains, clears PRO
            assertThat(requests).hasSize(127);
            assertThat(big.unit.read32(RegisterMap.PRS) & RegisterMap.PRS_PRO).isZero();
            for (PageRequestDescriptor r : requests) {
                assertThat(big.guest.respond(r, PageGroupResponse.SUCCESS)).isTrue();
            }
            assertThat(big.answers.of(NIC)).hasSize(130);
            assertThat(big.answers.of(NIC).stream().map(a -> a.groupId()).distinct()).hasSize(130);
        } finally {
            big.close();
            assertThat(big.hostLog).isEmpty();
        }
    }

    @Test
    void withoutAPageRequestQueueGroupsAreAnsweredInvalidAtOnce() {
        FirstLevelPageTable table = new FirstLevelPageTable(rig.guest.frames, FirstLevelPageTable.PAGE_4K);
        assertThat(rig.guest.probe(false)).isTrue();                              // PQA never written
        assertThat(rig.guest.attach(VRID_NIC, PASID, table.root(), true, false)).isTrue();
        rig.pageRequest(rig.nic, PASID, 2, VA, Permissions.READ, true);
        rig.deliver();
        assertThat(rig.answers.of(NIC)).extracting(GuestsOnOneIommu.Answers.Answer::code)
                .containsExactly(ResponseCode.INVALID);
        assertThat(unit.statistics().pageRequestsRefused()).isEqualTo(1);
    }

    @Test
    void theGuestGoingAwayAnswersEveryGroupItHolds() {
        attached();
        rig.pageRequest(rig.nic, PASID, 1, VA, Permissions.READ, true);
        rig.pageRequest(rig.nic, PASID, 2, VA + PAGE, Permissions.READ, true);
        rig.deliver();
        assertThat(rig.guest.readPageRequests()).hasSize(2);
        rig.viommu.close();
        assertThat(rig.answers.of(NIC)).hasSize(2).allMatch(a -> a.code() == ResponseCode.INVALID);
    }

    /** FRCD offsets of the unit (CAP.FRO 0x220). */
    private static final class UnitFrcd {
        static int low(int index) {
            return 0x220 + 16 * index;
        }
    }
}
