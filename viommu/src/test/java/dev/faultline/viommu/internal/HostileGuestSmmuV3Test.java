package dev.faultline.viommu.internal;

import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CMDQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0ACK;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_CMDQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_EVTQEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.CR0_SMMUEN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_CONS;
import static dev.faultline.platform.smmuv3.SmmuRegisters.EVENTQ_PROD;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GERROR;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GERRORN;
import static dev.faultline.platform.smmuv3.SmmuRegisters.GERROR_CMDQ_ERR;
import static dev.faultline.platform.smmuv3.SmmuRegisters.IDR0;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE;
import static dev.faultline.platform.smmuv3.SmmuRegisters.STRTAB_BASE_CFG;
import static dev.faultline.viommu.internal.VirtualSmmuRig.NIC;
import static dev.faultline.viommu.internal.VirtualSmmuRig.VSID_NIC;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.PageRequest;
import dev.faultline.api.fault.Pasid;
import dev.faultline.api.fault.Permissions;
import dev.faultline.api.fault.ResponseCode;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.smmuv3.Command;
import dev.faultline.platform.smmuv3.ContextDescriptor;
import dev.faultline.platform.smmuv3.EventRecord;
import dev.faultline.platform.smmuv3.QueuePointer;
import dev.faultline.platform.smmuv3.SmmuRegisters;
import dev.faultline.platform.smmuv3.StreamTableEntry;
import dev.faultline.viommu.GuestLimits;
import dev.faultline.viommu.VirtualSmmuStatistics;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A hostile guest programs its virtual SMMUv3: every bad value is refused and counted, the stream stays aborting
 * (no stage 1 of the guest's is installed), the command queue stops with CERROR_ILL as the hardware would, and
 * nothing is printed on the host.
 */
class HostileGuestSmmuV3Test {
    private static final long GIB = 1L << 30;
    private VirtualSmmuRig rig = new VirtualSmmuRig();

    @AfterEach
    void close() {
        assertThat(rig.hostLog).as("nothing a guest did is printed on the host").isEmpty();
        rig.close();
    }

    // ---- stream table entries and context descriptors --------------------------------------------------------

    /** An STE field the guest may not set: the entry is refused and the stream keeps aborting. */
    @ParameterizedTest(name = "STE dword 1 = {0}")
    @ValueSource(longs = {1L << 28 /* EATS without ATS */, 1L << 18 /* PPAR without PRI */,
        1L << 25 /* S2FWB */, 1L << 8 /* RES0 */, 3L /* S1DSS reserved */})
    void anSteWithAFieldTheVirtualSmmuDoesNotOfferIsRefused(long dword1) {
        rig.guest.reset();
        TranslationTable table = rig.guest.stage1();
        long cd = rig.guest.cdTable(0);
        rig.guest.writeCd(cd, 0, table, false);
        StreamTableEntry good = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS)
                .contextTable(cd, 0, 0).build();
        long[] words = good.encode();
        rig.guest.writeSteWords(VSID_NIC, words[0], words[1] | dword1);
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());

        assertRefusedAndAborting(1);
    }

    @ParameterizedTest(name = "Config {0}")
    @ValueSource(ints = {1, 2, 3, StreamTableEntry.CFG_S2_TRANS, StreamTableEntry.CFG_NESTED})
    void anSteAskingForStage2OrAReservedConfigIsRefused(int config) {
        rig.guest.reset();
        rig.guest.writeSteWords(VSID_NIC, 1 | (long) config << 1);
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());

        assertRefusedAndAborting(1);
    }

    @Test
    void aCdTableTooLargeOutsideGuestRamOrMisalignedIsRefused() {
        rig.guest.reset();
        long cds = rig.guest.cdTable(2);
        rig.guest.writeSte(VSID_NIC, cds, GuestSmmuV3.SSID_BITS + 1, 2, false);   // S1CDMax beyond SSIDSIZE
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC));
        rig.guest.writeSte(VSID_NIC, 15 * GIB, 0, 0, false);                       // beyond guest RAM
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC));
        rig.guest.writeSte(VSID_NIC, (16L << 20) - 64, 1, 2, false);               // runs past the end of RAM
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC));
        rig.guest.writeSte(VSID_NIC, cds + 64, 2, 2, false);                       // not aligned to its size
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC));
        long[] twoLevel = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS)
                .contextTable(cds, 2, 2).build().encode();                         // S1Fmt 2 without CD2L
        rig.guest.writeSteWords(VSID_NIC, twoLevel[0], twoLevel[1]);
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());

        assertRefusedAndAborting(5);
    }

    @Test
    void aContextDescriptorOfAnotherFormatIsRefusedAndItsFaultsReachTheGuestAsNoRecord() {
        rig.guest.reset();
        TranslationTable table = rig.guest.stage1();
        long cd = rig.guest.cdTable(0);
        long[] words = ContextDescriptor.linux(48, GuestSmmuDriver.IPS_48, 1, table.root(), false).encode();
        words[0] |= 1L << 6;                                                      // TG0 = 64 KiB
        rig.guest.write(cd, words);
        rig.guest.writeSte(VSID_NIC, cd, 0, 0, false);
        rig.guest.submit(Command.ConfigInvalidation.ste(VSID_NIC), Command.Sync.sev());
        assertThat(rig.smmu.statistics().stesRefused()).isEqualTo(1);

        rig.fault(rig.nic, 0x1000, Permissions.READ);
        assertThat(rig.deliver()).isZero();
        assertThat(rig.guest.readEvents()).isEmpty();
        assertThat(rig.smmu.statistics().eventsDiscarded()).isEqualTo(1);
    }

    private void assertRefusedAndAborting(int refused) {
        VirtualSmmuStatistics s = rig.smmu.statistics();
        assertThat(s.stesRefused()).isEqualTo(refused);
        assertThat(s.stesInstalled()).isZero();
        assertThat(rig.binds).as("no stage 1 of the guest's installed").isEmpty();
        assertThat(s.commandErrors()).isZero();
        assertThat(rig.viommu.statistics().routed()).isZero();
    }

    // ---- commands -------------------------------------------------------------------------------------------

    @Test
    void anIllegalCommandStopsTheQueueWithCerrorIllUntilTheGuestAcknowledges() {
        rig.guest.reset();
        int before = rig.guest.cmdqProd();
        rig.guest.submit(Command.ConfigInvalidation.ste(1 << 16), Command.Sync.sev()); // StreamID beyond SIDSIZE
        int cons = rig.smmu.read32(CMDQ_CONS);
        assertThat(cons >>> SmmuRegisters.CMDQ_CONS_ERR_SHIFT & 0x7f).isEqualTo(SmmuRegisters.CERROR_ILL);
        assertThat(QueuePointer.position(cons, GuestSmmuDriver.CMDQ_LOG2)).as("stopped at the bad command")
                .isEqualTo(before);
        int gerror = rig.smmu.read32(GERROR);
        assertThat((gerror ^ rig.smmu.read32(GERRORN)) & GERROR_CMDQ_ERR).isEqualTo(GERROR_CMDQ_ERR);

        rig.guest.submit(Command.Sync.sev());                                    // more commands wait
        assertThat(rig.smmu.statistics().syncs()).isZero();

        // Linux's arm_smmu_cmdq_skip_err: replace the bad command with a CMD_SYNC, then acknowledge
        long slot = rig.guest.cmdq + 16L * QueuePointer.index(before, GuestSmmuDriver.CMDQ_LOG2);
        rig.guest.write(slot, new long[] {Command.Sync.sev().dw0(), 0});
        rig.smmu.write32(GERRORN, gerror);
        assertThat(rig.smmu.read32(CMDQ_CONS)).isEqualTo(rig.guest.cmdqProd());
        assertThat(rig.smmu.statistics().syncs()).isEqualTo(3);
        assertThat(rig.smmu.statistics().commandErrors()).isEqualTo(1);
    }

    @ParameterizedTest(name = "command dword 0 = {0}")
    @ValueSource(longs = {0x7f /* no such opcode */, Command.OP_PRI_RESP /* no PRI */, 0x2a /* TLBI_S2_IPA */,
        0x20 /* TLBI_EL2_ALL */, 0x40 /* ATC_INV */, Command.OP_CMD_SYNC | 3L << 12 /* CS reserved */,
        Command.OP_RESUME | 1L << 20 /* RES0 */, Command.OP_CFGI_CD | 0x100L << 12 /* SSID beyond SSIDSIZE */})
    void commandsForFeaturesTheVirtualSmmuLacksOrWithReservedFieldsAreIllegal(long dw0) {
        rig.guest.reset();
        rig.guest.submitRaw(new long[] {dw0, 0});
        assertThat(rig.smmu.read32(CMDQ_CONS) >>> SmmuRegisters.CMDQ_CONS_ERR_SHIFT)
                .isEqualTo(SmmuRegisters.CERROR_ILL);
        assertThat(rig.smmu.statistics().commandErrors()).isEqualTo(1);
    }

    @Test
    void aCmdSyncSignalsInGuestMemoryOrRaisesAnMsiAbortOutsideIt() {
        rig.guest.reset();
        long word = rig.guest.frames.allocatePage();
        rig.guest.write(word, new long[] {-1L});
        rig.guest.submit(Command.Sync.msi(word + 4, 0));                             // Linux's MSI polling
        assertThat(rig.guest.ram.read64(word)).isEqualTo(0x0000_0000_ffff_ffffL);
        assertThat(rig.smmu.read32(GERROR)).isZero();

        rig.guest.submit(Command.Sync.msi(15 * GIB, 0));
        assertThat(rig.smmu.read32(GERROR) & 1 << 4).as("GERROR.MSI_CMDQ_ABT_ERR").isNotZero();
        assertThat(rig.smmu.read32(CMDQ_CONS)).isEqualTo(rig.guest.cmdqProd());
    }

    @Test
    void aFloodOfCommandsIsConsumedOneQueueAtATime() {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, false, false);
        long consumed = rig.smmu.statistics().commands();
        long[][] flood = new long[(1 << GuestSmmuDriver.CMDQ_LOG2) - 1][];
        for (int i = 0; i < flood.length; i++) {
            Command c = Command.ConfigInvalidation.all();
            flood[i] = new long[] {c.dw0(), c.dw1()};
        }
        rig.guest.submitRaw(flood);
        assertThat(rig.smmu.statistics().commands() - consumed).isEqualTo(flood.length);
        assertThat(rig.binds).as("an unchanged STE is never re-installed").hasSize(1);
    }

    // ---- registers ------------------------------------------------------------------------------------------

    @Test
    void queuesAndTablesOutsideGuestRamMisalignedOrOfAnUnofferedFormatAreNotEnabled() {
        rig.smmu.write64(EVENTQ_BASE, 15 * GIB | 4);
        rig.smmu.write64(CMDQ_BASE, rig.guest.cmdq + 0x20 | 8);                    // not aligned to 4 KiB
        rig.smmu.write64(STRTAB_BASE, rig.guest.strtab);
        rig.smmu.write32(STRTAB_BASE_CFG, 1 << 16 | 8);                           // two-level
        rig.smmu.write32(CR0, CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
        assertThat(rig.smmu.read32(CR0ACK)).isZero();
        rig.smmu.write32(STRTAB_BASE_CFG, 17);                                    // beyond SIDSIZE
        rig.smmu.write32(CR0, CR0_SMMUEN);
        rig.smmu.write64(STRTAB_BASE, 15 * GIB);
        rig.smmu.write32(STRTAB_BASE_CFG, 8);
        rig.smmu.write32(CR0, CR0_SMMUEN);
        assertThat(rig.smmu.read32(CR0ACK)).isZero();
        assertThat(rig.smmu.statistics().registerWritesRefused()).isEqualTo(5);

        rig.smmu.write64(EVENTQ_BASE, rig.guest.evtq | 31);                       // LOG2SIZE beyond EVTQS: 2^8
        rig.smmu.write32(CR0, CR0_EVTQEN);
        assertThat(rig.smmu.read32(CR0ACK)).as("a 8 KiB queue on a 4 KiB boundary").isZero();
    }

    @Test
    void aBaseChangedWhileEnabledAndWritesToReadOnlyOrUnknownRegistersAreIgnored() {
        rig.guest.reset();
        long strtab = rig.smmu.read64(STRTAB_BASE);
        rig.smmu.write64(STRTAB_BASE, 15 * GIB);
        rig.smmu.write64(EVENTQ_BASE, 0);
        rig.smmu.write64(CMDQ_BASE, 0);
        rig.smmu.write32(STRTAB_BASE_CFG, 4);
        rig.smmu.write32(IDR0, -1);
        rig.smmu.write32(CR0ACK, 0);
        rig.smmu.write32(0x7ff0, 1);
        rig.smmu.write64(CR0, 0);
        assertThat(rig.smmu.read64(STRTAB_BASE)).isEqualTo(strtab);
        assertThat(rig.smmu.read32(CR0ACK)).isEqualTo(CR0_CMDQEN | CR0_EVTQEN | CR0_SMMUEN);
        assertThat(rig.smmu.statistics().registerWritesRefused()).isEqualTo(8);
    }

    @Test
    void pointersWithReservedBitsOrAConsPastProdAreRefused() {
        rig.guest.reset();
        int log2 = rig.guest.evtqLog2;
        rig.smmu.write32(CMDQ_PROD, 1 << 20);                                     // RES0
        rig.smmu.write32(CMDQ_CONS, 0);                                           // the SMMU's while enabled
        rig.smmu.write32(EVENTQ_CONS, 3);                                         // past PROD (0)
        rig.smmu.write32(EVENTQ_CONS, 1 << (log2 + 1));                           // RES0
        rig.smmu.write32(EVENTQ_PROD, 2);                                         // the SMMU's while enabled
        assertThat(rig.smmu.read32(EVENTQ_CONS)).isZero();
        assertThat(rig.smmu.read32(EVENTQ_PROD)).isZero();
        assertThat(rig.smmu.statistics().registerWritesRefused()).isEqualTo(5);
    }

    @Test
    void theGuestProgrammingADeviceThatLeftTheMachineCrashesNothing() {
        rig.guest.reset();
        rig.viommu.removeDevice(NIC);                          // unplugged: the vIOMMU retired its virtual id
        rig.guest.attach(VSID_NIC, false, false);
        assertThat(rig.smmu.read32(CMDQ_CONS)).isEqualTo(rig.guest.cmdqProd());
        assertThat(rig.smmu.statistics().commandErrors()).isZero();
    }

    // ---- the event queue ------------------------------------------------------------------------------------

    @Test
    void aFullEventQueueDiscardsFaultsRaisesOverflowOnceAndTheGuestAcknowledges() {
        rig.close();
        rig = new VirtualSmmuRig(1, new GuestLimits(64, 64, 0, 1, 0));             // two records
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, false, false);
        for (int i = 0; i < 5; i++) {
            rig.fault(rig.nic, 0x10_0000L * (i + 1), Permissions.READ);
        }
        assertThat(rig.deliver()).isEqualTo(2);
        VirtualSmmuStatistics s = rig.smmu.statistics();
        assertThat(s.eventsDiscarded()).isEqualTo(3);
        assertThat(s.overflows()).isEqualTo(1);

        boolean[] overflow = new boolean[1];
        List<EventRecord> read = rig.guest.readEvents(overflow);
        assertThat(read).extracting(EventRecord::inputAddress).containsExactly(0x10_0000L, 0x20_0000L);
        assertThat(overflow[0]).as("the guest sees EVTQ overflow").isTrue();
        assertThat(rig.smmu.read32(EVENTQ_CONS) & SmmuRegisters.Q_OVERFLOW_FLAG)
                .isEqualTo(rig.smmu.read32(EVENTQ_PROD) & SmmuRegisters.Q_OVERFLOW_FLAG);

        rig.fault(rig.nic, 0x60_0000L, Permissions.READ);
        assertThat(rig.deliver()).isEqualTo(1);
        assertThat(rig.guest.readEvents(overflow)).singleElement().extracting(EventRecord::inputAddress)
                .isEqualTo(0x60_0000L);
        assertThat(overflow[0]).isFalse();
        assertThat(rig.smmu.statistics().overflows()).isEqualTo(1);
    }

    @Test
    void aStallNeverDiscardedWaitsForRoomAndIsWrittenWhenTheGuestConsumes() throws Exception {
        rig.close();
        rig = new VirtualSmmuRig(1, new GuestLimits(64, 64, 0, 1, 0));
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, false);
        rig.fault(rig.nic, 0x1000, Permissions.READ);
        rig.fault(rig.nic, 0x2000, Permissions.READ);
        rig.stall(rig.nic, 9, 0x3000, Permissions.READ);
        assertThat(rig.deliver()).isEqualTo(2);
        assertThat(rig.smmu.statistics().stallsWaiting()).isEqualTo(1);
        assertThat(rig.smmu.statistics().overflows()).as("a stall causes no overflow").isZero();

        assertThat(rig.guest.readEvents()).hasSize(2);                         // the CONS write makes room
        List<EventRecord> stall = rig.guest.readEvents();
        assertThat(stall).singleElement().satisfies(e -> assertThat(e.stall()).isTrue());
        rig.guest.resume(stall.get(0), true);
        assertThat(rig.answers.of(NIC)).singleElement().satisfies(a -> {
            assertThat(a.groupId()).isEqualTo(9);
            assertThat(a.code()).isEqualTo(ResponseCode.SUCCESS);
        });
    }

    @Test
    void disablingTheEventQueueTerminatesTheStallsWaitingAndLaterOnesOnce() {
        rig.close();
        rig = new VirtualSmmuRig(0, new GuestLimits(64, 64, 0, 1, 0));             // one record
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, false);
        rig.stall(rig.nic, 1, 0x1000, Permissions.READ);
        rig.stall(rig.nic, 2, 0x2000, Permissions.READ);
        rig.deliver();
        rig.guest.enable(CR0_CMDQEN | CR0_SMMUEN);
        rig.stall(rig.nic, 3, 0x3000, Permissions.READ);
        rig.deliver();

        assertThat(rig.answers.of(NIC)).extracting(GuestsOnOneIommu.Answers.Answer::groupId).containsExactly(2, 3);
        assertThat(rig.answers.of(NIC)).allSatisfy(a -> assertThat(a.code()).isEqualTo(ResponseCode.INVALID));
        assertThat(rig.smmu.statistics().stallsTerminated()).isEqualTo(2);
    }

    @Test
    void aPageRequestGroupOfSeveralRequestsIsTerminatedForTheVirtualSmmuHasNoPri() {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, false);
        rig.nic.reportPageRequest(Pasid.NONE, 4, 0, Permissions.READ, 0x1000, 0, 0);
        rig.nic.reportPageRequest(Pasid.NONE, 4, PageRequest.FLAG_LAST_PAGE, Permissions.READ, 0x2000, 0, 0);
        assertThat(rig.deliver()).isZero();
        assertThat(rig.answers.of(NIC)).singleElement().satisfies(a -> assertThat(a.code())
                .isEqualTo(ResponseCode.INVALID));
        assertThat(rig.smmu.statistics().stallsTerminated()).isEqualTo(1);
    }

    // ---- merging (STE.MEV) ------------------------------------------------------------------------------------

    @Test
    void withMevIdenticalUnreadRecordsMergeIntoOneAndStallsNeverDo() throws Exception {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, true, true);
        for (int i = 0; i < 3; i++) {
            rig.fault(rig.nic, 0x4000, Permissions.WRITE);
        }
        rig.fault(rig.nic, 0x5000, Permissions.WRITE);
        rig.stall(rig.nic, 1, 0x6000, Permissions.READ);
        rig.stall(rig.nic, 2, 0x6000, Permissions.READ);
        rig.deliver();
        assertThat(rig.guest.readEvents()).extracting(EventRecord::inputAddress, EventRecord::stall).containsExactly(
                org.assertj.core.groups.Tuple.tuple(0x4000L, false), org.assertj.core.groups.Tuple.tuple(0x5000L, false),
                org.assertj.core.groups.Tuple.tuple(0x6000L, true), org.assertj.core.groups.Tuple.tuple(0x6000L, true));
        assertThat(rig.smmu.statistics().eventsMerged()).isEqualTo(2);

        rig.fault(rig.nic, 0x5000, Permissions.WRITE);     // the same as the last record, which the guest read
        rig.deliver();
        assertThat(rig.guest.readEvents()).hasSize(1);
        assertThat(rig.smmu.statistics().eventsMerged()).isEqualTo(2);
    }

    @Test
    void withoutMevEveryRecordIsWritten() {
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, false, false);
        for (int i = 0; i < 3; i++) {
            rig.fault(rig.nic, 0x4000, Permissions.WRITE);
        }
        rig.deliver();
        assertThat(rig.guest.readEvents()).hasSize(3);
        assertThat(rig.smmu.statistics().eventsMerged()).isZero();
        assertThat(rig.viommu.statistics().unrecoverable()).isEqualTo(3);
    }

    @Test
    void lostEventsOfTheVirtualIommuAreAnOverflowOfTheGuestsQueue() throws Exception {
        rig.close();
        rig = new VirtualSmmuRig(4, new GuestLimits(2, 64, 0, 1, 0));              // the vIOMMU holds two
        rig.guest.reset();
        rig.guest.attach(VSID_NIC, false, false);
        for (int i = 0; i < 5; i++) {
            rig.fault(rig.nic, 0x1000L * (i + 1), Permissions.READ);
        }
        assertThat(rig.smmu.deliver(1, TimeUnit.SECONDS)).isEqualTo(2);
        assertThat(rig.smmu.statistics().eventsDiscarded()).isEqualTo(3);
        boolean[] overflow = new boolean[1];
        assertThat(rig.guest.readEvents(overflow)).hasSize(2);
        assertThat(overflow[0]).isTrue();
    }
}
