package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.Protection;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.DmaTransaction;
import dev.faultline.platform.dma.TranslationOutcome;
import java.util.List;
import org.junit.jupiter.api.Test;

class SmmuStallTest {
    private static final int SID = 0x42;

    private SmmuRig rig = new SmmuRig();
    private TranslationTable table = TranslationTable.stage1(rig.frames, 48);

    private DmaTransaction write(long va) {
        return rig.smmu.issue(new DmaAccess(SID, Pasid.NONE, va, AccessType.WRITE, false, 4, false));
    }

    /** Maps the page of the stalled {@code tx} whose event is {@code e}, resumes it with retry: it translates. */
    private void mapAndRetry(DmaTransaction tx, EventRecord e) {
        table.map(0x5000, 0x6000_0000L, 0x1000, Protection.READ_WRITE);
        rig.submit(new Command.Resume(SID, e.stag(), true, false), Command.Sync.sev());
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.TRANSLATED);
        assertThat(tx.physicalAddress()).isEqualTo(0x6000_0008L);
        assertThat(rig.smmu.stalledTransactions()).isZero();
    }

    @Test
    void stalledTransactionResumesWithRetryAfterTheFaultIsFixed() {
        rig.stage1Stream(SID, table, true);
        DmaTransaction tx = write(0x5008);
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.STALLED);
        EventRecord e = rig.drainEvents().get(0);
        assertThat(e.stall()).isTrue();
        assertThat(e.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(rig.smmu.stalledTransactions()).isEqualTo(1);
        mapAndRetry(tx, e);
    }

    @Test
    void aReopenedTransactionStallsAndResumesLikeANewOne() {
        rig.stage1Stream(SID, table, true);
        DmaTransaction tx = write(0x5008);
        rig.submit(new Command.Resume(SID, rig.drainEvents().get(0).stag(), false, true), Command.Sync.sev());
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.ABORTED);

        assertThat(rig.smmu.issue(tx.reopen())).isSameAs(tx);
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.STALLED);
        assertThat(tx.stalls()).as("counted afresh").isEqualTo(1);
        EventRecord e = rig.drainEvents().get(0);
        assertThat(e.inputAddress()).isEqualTo(0x5008);
        mapAndRetry(tx, e);
    }

    @Test
    void aStalledTransactionIsNeitherIssuedAgainNorReopened() {
        rig.stage1Stream(SID, table, true);
        DmaTransaction tx = write(0x5000);
        assertThatThrownBy(() -> rig.smmu.issue(tx)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("in flight");
        assertThatThrownBy(tx::reopen).isInstanceOf(IllegalStateException.class).hasMessageContaining("STALLED");
        assertThat(rig.smmu.statistics().transactions()).as("the port did not touch it").isEqualTo(1);
        assertThat(rig.smmu.stalledTransactions()).isEqualTo(1);
    }

    @Test
    void retryThatFaultsAgainStallsAgainWithANewStag() {
        rig.stage1Stream(SID, table, true);
        DmaTransaction tx = write(0x5000);
        int first = rig.drainEvents().get(0).stag();
        rig.submit(new Command.Resume(SID, first, true, false));
        assertThat(tx.outcome()).isEqualTo(TranslationOutcome.STALLED);
        assertThat(tx.stalls()).isEqualTo(2);
        List<EventRecord> again = rig.drainEvents();
        assertThat(again).hasSize(1);
        assertThat(again.get(0).stag()).isNotEqualTo(first);
    }

    @Test
    void abortAndTerminateEndTheStall() {
        rig.stage1Stream(SID, table, true);
        DmaTransaction a = write(0x5000);
        DmaTransaction b = write(0x6000);
        List<EventRecord> events = rig.drainEvents();
        rig.submit(new Command.Resume(SID, events.get(0).stag(), false, true),
                new Command.Resume(SID, events.get(1).stag(), false, false));
        assertThat(a.outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(b.outcome()).isEqualTo(TranslationOutcome.RAZ_WI);
    }

    @Test
    void termModelMakesEveryTerminationAnAbort() {
        rig = new SmmuRig(SmmuFeatures.defaults().withTermModel(true), 4, 4, 4);
        table = TranslationTable.stage1(rig.frames, 48);
        rig.stage1Stream(SID, table, true);
        DmaTransaction a = write(0x5000);
        rig.submit(new Command.Resume(SID, rig.drainEvents().get(0).stag(), false, false));
        assertThat(a.outcome()).isEqualTo(TranslationOutcome.ABORTED);
    }

    @Test
    void unknownStagIsANoOpAndStallTermAbortsEveryStallOfTheStream() {
        rig.stage1Stream(SID, table, true);
        DmaTransaction a = write(0x5000);
        DmaTransaction b = write(0x6000);
        rig.drainEvents();
        rig.submit(new Command.Resume(SID, 0x7777, true, false));
        assertThat(rig.smmu.statistics().resumesUnmatched()).isEqualTo(1);
        assertThat(a.outcome()).isEqualTo(TranslationOutcome.STALLED);
        rig.submit(new Command.StallTerm(SID));
        assertThat(a.outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(b.outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(rig.smmu.stalledTransactions()).isZero();
    }

    @Test
    void stallRecordsAreNeverDiscardedButWaitForRoom() {
        rig = new SmmuRig(SmmuFeatures.defaults(), 1, 4, 4); // a 2-entry event queue
        table = TranslationTable.stage1(rig.frames, 48);
        rig.stage1Stream(SID, table, true);
        for (int i = 0; i < 5; i++) {
            write(0x10_0000L + i * 0x1000L);
        }
        assertThat(rig.smmu.statistics().stallsPending()).isEqualTo(3);
        assertThat(rig.smmu.statistics().eventsDiscarded()).isZero();
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD) & SmmuRegisters.Q_OVERFLOW_FLAG).isZero();
        List<EventRecord> all = new java.util.ArrayList<>();
        for (int round = 0; round < 3; round++) {
            all.addAll(rig.drainEvents());
        }
        assertThat(all).hasSize(5).extracting(EventRecord::inputAddress)
                .containsExactly(0x10_0000L, 0x10_1000L, 0x10_2000L, 0x10_3000L, 0x10_4000L);
        assertThat(all).allMatch(EventRecord::stall);
    }

    @Test
    void stallMaxLimitsOutstandingStallsAndTerminatesTheRest() {
        rig = new SmmuRig(SmmuFeatures.defaults().withStalls(0, 2), 4, 4, 4);
        table = TranslationTable.stage1(rig.frames, 48);
        rig.stage1Stream(SID, table, true);
        write(0x1000);
        write(0x2000);
        assertThat(write(0x3000).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        assertThat(rig.drainEvents()).extracting(EventRecord::stall).containsExactly(true, true, false);
    }

    @Test
    void terminateOnlyModelNeverStallsAndRejectsResume() {
        rig = new SmmuRig(SmmuFeatures.defaults().withStalls(1, 64), 4, 4, 4);
        table = TranslationTable.stage1(rig.frames, 48);
        rig.stage1Stream(SID, table, true);
        assertThat(write(0x1000).outcome()).isEqualTo(TranslationOutcome.ABORTED);
        rig.submit(new Command.Resume(SID, 0, true, false));
        assertThat(rig.smmu.read32(SmmuRegisters.CMDQ_CONS) >>> SmmuRegisters.CMDQ_CONS_ERR_SHIFT & 0x7f)
                .isEqualTo(SmmuRegisters.CERROR_ILL);
    }

    @Test
    void sameInputsGiveTheSameRecordsAndStags() {
        long[][] first = run();
        long[][] second = run();
        assertThat(second).isDeepEqualTo(first);
    }

    private long[][] run() {
        SmmuRig r = new SmmuRig();
        TranslationTable t = TranslationTable.stage1(r.frames, 48);
        r.stage1Stream(SID, t, true);
        dev.faultline.platform.dma.DmaWorkload w = dev.faultline.platform.dma.DmaWorkload.builder(SID)
                .region(0x100000, 0x10000).mix(50, 50, 0).pattern(dev.faultline.platform.dma.DmaWorkload.Pattern.RANDOM)
                .count(10).seed(5).build();
        for (DmaAccess a : w) {
            r.smmu.issue(a);
        }
        return r.drainEvents().stream().map(EventRecord::encode).toArray(long[][]::new);
    }
}
