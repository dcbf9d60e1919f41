package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.arm.TranslationTable;
import dev.faultline.platform.dma.AccessType;
import dev.faultline.platform.dma.DmaAccess;
import dev.faultline.platform.dma.FieldsFunction;
import dev.faultline.platform.dma.PageRequestMessage;
import dev.faultline.platform.dma.PrgResponseCode;
import dev.faultline.platform.dma.PrgResponseMessage;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SmmuQueueTest {

    private static void fault(SmmuRig rig, int n) {
        for (int i = 0; i < n; i++) {
            rig.smmu.issue(DmaAccess.of(0x20, 0x1000L * i, AccessType.READ, 4)); // invalid STE: C_BAD_STE
        }
    }

    @Test
    void eventQueueFillsWrapsAndOverflowsAsTv18() {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults(), 7, 4, 4);
        fault(rig, 128);
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD)).isEqualTo(0x80); // index 0, wrap 1: full
        fault(rig, 1);
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD)).isEqualTo(0x80000080);
        assertThat(rig.smmu.statistics().eventsDiscarded()).isEqualTo(1);
        assertThat(rig.drainEvents()).hasSize(128);
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_CONS)).isEqualTo(0x80000080); // acknowledged
        fault(rig, 129); // a second episode toggles OVFLG back to 0
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD)).isEqualTo(0x00000000);
        assertThat(QueuePointer.overflow(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD)))
                .isNotEqualTo(QueuePointer.overflow(rig.smmu.read32(SmmuRegisters.EVENTQ_CONS)));
    }

    @Test
    void nothingIsWrittenPastTheRing() {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults(), 2, 4, 4); // 4 entries, 128 bytes
        long guard = rig.evtq + 4 * 32;
        for (int i = 0; i < 64; i++) {
            rig.memory.write64(rig.evtq - 64 + i * 8L, 0x5a5a5a5a5a5a5a5aL); // sentinels around the ring
        }
        for (int i = 0; i < 8; i++) {
            rig.memory.write64(rig.evtq + 8L * i, 0);
        }
        for (int i = 0; i < 16; i++) {
            rig.memory.write64(rig.evtq + 8L * i, 0);
        }
        fault(rig, 10);
        for (long a = guard; a < guard + 64; a += 8) {
            assertThat(rig.memory.read64(a)).isEqualTo(0x5a5a5a5a5a5a5a5aL);
        }
        assertThat(rig.memory.read64(rig.evtq - 8)).isEqualTo(0x5a5a5a5a5a5a5a5aL);
        assertThat(rig.smmu.statistics().eventsWritten()).isEqualTo(4);
    }

    @Test
    void wrapAroundKeepsRecordsInOrder() {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults(), 2, 4, 4);
        List<Long> seen = new ArrayList<>();
        for (int round = 0; round < 5; round++) {
            for (int i = 0; i < 3; i++) {
                rig.smmu.issue(DmaAccess.of(0x20 + round * 3 + i, 0, AccessType.READ, 4));
            }
            rig.drainEvents().forEach(e -> seen.add((long) e.sid()));
        }
        assertThat(seen).hasSize(15);
        for (int i = 0; i < 15; i++) {
            assertThat(seen.get(i)).isEqualTo(0x20L + i);
        }
    }

    @Test
    void disabledEventQueueDropsWithoutOverflow() {
        SmmuRig rig = new SmmuRig();
        rig.smmu.write32(SmmuRegisters.CR0, SmmuRegisters.CR0_SMMUEN);
        fault(rig, 3);
        assertThat(rig.smmu.statistics().eventsDropped()).isEqualTo(3);
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD)).isZero();
    }

    @Test
    void interruptsFireOnlyWhenEnabled() {
        SmmuRig rig = new SmmuRig();
        Set<SmmuInterrupt> seen = EnumSet.noneOf(SmmuInterrupt.class);
        rig.smmu.connectInterrupts(seen::add);
        fault(rig, 1);
        assertThat(seen).isEmpty();
        rig.smmu.write32(SmmuRegisters.IRQ_CTRL, SmmuRegisters.IRQ_CTRL_EVTQ_IRQEN | SmmuRegisters.IRQ_CTRL_GERROR_IRQEN);
        assertThat(rig.smmu.read32(SmmuRegisters.IRQ_CTRLACK)).isEqualTo(5);
        fault(rig, 1);
        rig.submitRaw(0x99, 0);
        assertThat(seen).containsExactlyInAnyOrder(SmmuInterrupt.EVENTQ, SmmuInterrupt.GERROR);
    }

    // ---------------------------------------------------------------- PRI queue

    private static PageRequestMessage request(int prg, boolean last) {
        return request(0x300, prg, last);
    }

    private static PageRequestMessage request(int rid, int prg, boolean last) {
        return new PageRequestMessage(rid, 5, false, false, true, true, last, prg, 0x7f00_0000_0000L + prg * 0x1000L);
    }

    @Test
    void pageRequestsAreQueuedAndAnsweredByCmdPriResp() {
        SmmuRig rig = new SmmuRig();
        List<PrgResponseMessage> got = new ArrayList<>();
        rig.smmu.connect(0x300, got::add);
        rig.smmu.pageRequest(request(0x12, false));
        rig.smmu.pageRequest(request(0x12, true));
        List<PriEntry> entries = rig.drainPri();
        assertThat(entries).extracting(PriEntry::last).containsExactly(false, true);
        assertThat(entries.get(1).pasid()).isEqualTo(5);
        rig.submit(new Command.PriResponse(0x300, true, 5, 0x12, Command.PriResponse.SUCCESS),
                new Command.PriResponse(0x300, false, 0, 0x13, Command.PriResponse.FAIL),
                new Command.PriResponse(0x300, false, 0, 0x14, Command.PriResponse.DENY));
        assertThat(got).containsExactly(new PrgResponseMessage(0x300, 5, 0x12, 0b0000),
                new PrgResponseMessage(0x300, Pasid.NONE, 0x13, 0b0001),
                new PrgResponseMessage(0x300, Pasid.NONE, 0x14, 0b1111));
    }

    @Test
    void aFunctionTakingFieldsGetsExactlyWhatTheRecordWouldCarry() {
        SmmuRig rig = new SmmuRig();
        FieldsFunction function = new FieldsFunction();
        rig.smmu.connect(0x300, function);
        rig.smmu.pageRequest(request(0x12, true));
        rig.drainPri();
        rig.submit(new Command.PriResponse(0x300, true, 5, 0x12, Command.PriResponse.SUCCESS),
                new Command.PriResponse(0x300, false, 0, 0x13, Command.PriResponse.FAIL),
                new Command.PriResponse(0x300, false, 0, 0x14, Command.PriResponse.DENY));
        assertThat(function.fields).containsExactly(new PrgResponseMessage(0x300, 5, 0x12, 0b0000),
                new PrgResponseMessage(0x300, Pasid.NONE, 0x13, 0b0001),
                new PrgResponseMessage(0x300, Pasid.NONE, 0x14, 0b1111));
        assertThat(function.records).as("the record method is not called").isZero();
    }

    @Test
    void priOverflowDiscardsEverythingUntilAcknowledgedAndAutoRespondsToLastRequests() {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults(), 4, 1, 4); // 2 PRI entries
        rig.writeSte(0x30, StreamTableEntry.builder().config(true, StreamTableEntry.CFG_BYPASS).flags(true, false)
                .build());
        List<PrgResponseMessage> got = new ArrayList<>();
        rig.smmu.connect(0x30, got::add);
        rig.smmu.pageRequest(request(0x30, 1, true));
        rig.smmu.pageRequest(request(0x30, 2, true)); // full now
        rig.smmu.pageRequest(request(0x30, 3, false)); // discarded silently, overflow
        rig.smmu.pageRequest(request(0x30, 3, true)); // discarded: auto Success with PASID (PPAR)
        rig.smmu.pageRequest(PageRequestMessage.stopMarker(0x30, 5, 4)); // discarded, never answered
        assertThat(got).containsExactly(new PrgResponseMessage(0x30, 5, 3, 0));
        assertThat(rig.smmu.read32(SmmuRegisters.PRIQ_PROD) & SmmuRegisters.Q_OVERFLOW_FLAG).isNotZero();
        // consume one entry without acknowledging: still nothing is written while overflow is active
        rig.smmu.write32(SmmuRegisters.PRIQ_CONS, 1);
        rig.smmu.pageRequest(request(0x30, 5, true));
        assertThat(rig.smmu.statistics().priEntriesWritten()).isEqualTo(2);
        assertThat(got).hasSize(2);
        List<PriEntry> drained = rig.drainPri(); // acknowledges
        assertThat(drained).hasSize(1);
        rig.smmu.pageRequest(request(0x30, 6, true));
        assertThat(rig.drainPri()).extracting(PriEntry::prgIndex).containsExactly(6);
    }

    @Test
    void disabledPriQueueAnswersResponseFailureWithoutPasid() {
        SmmuRig rig = new SmmuRig();
        rig.smmu.write32(SmmuRegisters.CR0, SmmuRegisters.CR0_SMMUEN | SmmuRegisters.CR0_EVTQEN
                | SmmuRegisters.CR0_CMDQEN);
        List<PrgResponseMessage> got = new ArrayList<>();
        rig.smmu.connect(0x300, got::add);
        rig.smmu.pageRequest(request(9, true));
        assertThat(got).containsExactly(new PrgResponseMessage(0x300, Pasid.NONE, 9, PrgResponseCode.RESPONSE_FAILURE.code()));
    }

    @Test
    void responsesToUnconnectedFunctionsAreCounted() {
        SmmuRig rig = new SmmuRig();
        rig.submit(new Command.PriResponse(0x301, false, 0, 1, Command.PriResponse.SUCCESS));
        assertThat(rig.smmu.statistics().prgResponsesUndeliverable()).isEqualTo(1);
    }

    // ---------------------------------------------------------------- command queue

    @Test
    void illegalCommandStopsTheQueueUntilGerrorIsAcknowledged() {
        SmmuRig rig = new SmmuRig();
        rig.submitRaw(0x99, 0); // unknown opcode
        rig.submit(Command.Sync.msi(rig.frames.allocate(64, 64), 0));
        int cons = rig.smmu.read32(SmmuRegisters.CMDQ_CONS);
        assertThat(cons >>> 24 & 0x7f).isEqualTo(SmmuRegisters.CERROR_ILL);
        assertThat(cons & 0xff).isZero();
        int gerror = rig.smmu.read32(SmmuRegisters.GERROR);
        assertThat((gerror ^ rig.smmu.read32(SmmuRegisters.GERRORN)) & SmmuRegisters.GERROR_CMDQ_ERR).isNotZero();
        // Linux: replace the bad command with CMD_SYNC, then acknowledge
        rig.memory.write64(rig.cmdq, Command.Sync.sev().dw0());
        rig.memory.write64(rig.cmdq + 8, 0);
        rig.smmu.write32(SmmuRegisters.GERRORN, gerror);
        assertThat(rig.smmu.read32(SmmuRegisters.CMDQ_CONS)).isEqualTo(2);
        assertThat(rig.smmu.statistics().commandErrors()).isEqualTo(1);
    }

    @Test
    void cmdSyncWithMsiWritesItsPayloadAndTheCommandQueueWraps() {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults(), 4, 4, 2); // 4 commands
        long flag = rig.frames.allocate(64, 64);
        for (int i = 0; i < 10; i++) {
            rig.memory.write32(flag, -1);
            rig.submit(Command.ConfigInvalidation.ste(1), Command.Sync.msi(flag, i));
            assertThat(rig.memory.read32(flag)).isEqualTo(i);
        }
        assertThat(rig.smmu.read32(SmmuRegisters.CMDQ_CONS)).isEqualTo(rig.smmu.read32(SmmuRegisters.CMDQ_PROD));
        assertThat(rig.smmu.statistics().commandsConsumed()).isEqualTo(20);
    }

    @Test
    void queueWriteIntoABusHoleRaisesEventqAbortError() {
        SmmuRig rig = new SmmuRig();
        rig.smmu.addExternalAbortRange(rig.evtq, 4096);
        fault(rig, 1);
        assertThat(rig.smmu.read32(SmmuRegisters.GERROR) & SmmuRegisters.GERROR_EVTQ_ABT_ERR).isNotZero();
    }

    @Test
    void queueSizeIsCappedByTheIdRegister() {
        SmmuRig rig = new SmmuRig(SmmuFeatures.defaults().withQueues(2, 2, 2), 7, 4, 4);
        fault(rig, 4);
        assertThat(rig.smmu.read32(SmmuRegisters.EVENTQ_PROD)).isEqualTo(0x4); // 2^2 entries: wrap bit 2
        TranslationTable unused = TranslationTable.stage1(rig.frames, 48);
        assertThat(unused.root()).isPositive();
    }
}
