package dev.faultline.platform.smmuv3;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.api.fault.Pasid;
import dev.faultline.platform.dma.PageRequestMessage;
import org.junit.jupiter.api.Test;

/** Hand-computed SMMUv3 event, PRI and command records, and a PCIe page request group answered Success. */
class RecordVectorsTest {

    @Test
    void tv11TranslationFaultDecodesAndPrintsAsLinux() {
        EventRecord e = EventRecord.decode(0x0000030000000010L, 0x0000020000000000L, 0x000000008000a2c0L, 0);
        assertThat(e.type()).isEqualTo(EventType.F_TRANSLATION);
        assertThat(e.sid()).isEqualTo(0x300);
        assertThat(e.ssv()).isFalse();
        assertThat(e.pasid()).isEqualTo(-1);
        assertThat(e.faultClass()).isEqualTo(EventRecord.CLASS_IN);
        assertThat(e.read()).isFalse();
        assertThat(e.linuxLines("0000:02:00.0")).containsExactly(
                "event 0x10 received:",
                "\t0x0000030000000010", "\t0x0000020000000000", "\t0x000000008000a2c0", "\t0x0000000000000000",
                "event: F_TRANSLATION client: 0000:02:00.0 sid: 0x300 ssid: 0x0 iova: 0x8000a2c0 ipa: 0x0",
                "unpriv data write s1 \"Input address caused fault\" stag: 0x0");
    }

    @Test
    void tv12PrivilegedReadPrintsPriv() {
        EventRecord e = EventRecord.decode(0x0000001100000010L, 0x0000020a00000000L, 0x000000009b0cc000L, 0);
        assertThat(e.privileged()).isTrue();
        assertThat(e.read()).isTrue();
        assertThat(e.linuxLines("x").get(6)).isEqualTo("priv data read s1 \"Input address caused fault\" stag: 0x0");
    }

    @Test
    void tv13StalledStage2FaultOnAStage1WalkEncodesBitExactly() {
        EventRecord e = new EventRecord(0x10, true, 5, 0x42, 7, true, false, false, true, true,
                EventRecord.CLASS_TT, false, 0xffff80001234L, 0x40001000L);
        assertThat(e.encode()).containsExactly(0x0000004200005810L, 0x0000018880000007L, 0x0000ffff80001234L,
                0x0000000040001000L);
        assertThat(EventRecord.decode(e.encode())).isEqualTo(e);
        assertThat(e.linuxLines(null)).endsWith(
                "event: F_TRANSLATION client: (unassigned sid) sid: 0x42 ssid: 0x5 iova: 0xffff80001234 ipa: 0x40001000",
                "unpriv data read s2 \"Stage 1 translation table fetch\" stall stag: 0x7");
    }

    @Test
    void tv14PermissionFaultOnADescriptorWritePrintsTtdWrite() {
        EventRecord e = EventRecord.decode(0x0000000300000013L, 0x0000018200000000L, 0x12345000L, 0x80002000L);
        assertThat(e.classTt()).isTrue();
        assertThat(e.ttRead()).isFalse();
        assertThat(e.linuxLines(null)).endsWith(
                "event: F_PERMISSION client: (unassigned sid) sid: 0x3 ssid: 0x0 iova: 0x12345000 ipa: 0x80002000",
                "priv data write s2 \"Stage 1 translation table fetch\" ttd_write stag: 0x0");
    }

    @Test
    void tv15ConfigurationAndFetchEvents() {
        EventRecord badSte = EventRecord.decode(0x0000002000000004L, 0, 0, 0);
        assertThat(badSte.linuxLines(null).get(5)).isEqualTo("event: C_BAD_STE client: (unassigned sid) sid: 0x20 ssid: 0x0");
        EventRecord cdFetch = EventRecord.decode(0x0000001000001809L, 0, 0, 0x00000000fe001040L);
        assertThat(cdFetch.ssid()).isEqualTo(1);
        assertThat(cdFetch.fetchAddress()).isEqualTo(0xfe001040L);
        assertThat(cdFetch.linuxLines("c").get(5)).isEqualTo("event: F_CD_FETCH client: c sid: 0x10 ssid: 0x1 fetch_addr: 0xfe001040");
        EventRecord eabt = EventRecord.decode(0x0000001000000000L | 0x0B, 0, 0, 0);
        assertThat(eabt.linuxLines("c").get(5)).isEqualTo("event: UNKNOWN client: c sid: 0x10 ssid: 0x0");
    }

    @Test
    void tv16PriEntryAndDenyResponse() {
        PriEntry p = new PriEntry(0x100, 3, false, false, true, true, true, true, 5, 0x7f1234567000L);
        assertThat(p.dw0()).isEqualTo(0xf000000300000100L);
        assertThat(p.dw1()).isEqualTo(0x00007f1234567005L);
        assertThat(PriEntry.decode(p.dw0(), p.dw1())).isEqualTo(p);
        assertThat(p.linuxLines()).containsExactly("unexpected PRI request received:",
                "\tsid 0x00000100.0x00003: [5L] unprivileged RW access at iova 0x00007f1234567000");
        Command.PriResponse deny = new Command.PriResponse(0x100, true, 3, 5, Command.PriResponse.DENY);
        assertThat(deny.dw0()).isEqualTo(0x0000010000003841L);
        assertThat(deny.dw1()).isEqualTo(0x0000000000000005L);
        assertThat(Command.PriResponse.dw1(5, Command.PriResponse.SUCCESS)).isEqualTo(0x0000000000002005L);
        assertThat(Command.decode(deny.dw0(), deny.dw1())).isEqualTo(deny);
    }

    @Test
    void tv17ResumeStallTermAndSyncEncodings() {
        assertThat(new Command.Resume(0x42, 7, true, false).dw0()).isEqualTo(0x0000004200001044L);
        assertThat(new Command.Resume(0x42, 7, true, false).dw1()).isEqualTo(7);
        assertThat(new Command.Resume(0x42, 7, false, true).dw0()).isEqualTo(0x0000004200002044L);
        assertThat(new Command.Resume(0x42, 7, false, false).dw0()).isEqualTo(0x0000004200000044L);
        assertThat(new Command.StallTerm(0x42).dw0()).isEqualTo(0x0000004200000045L);
        assertThat(Command.Sync.sev().dw0()).isEqualTo(0x000000000fc02046L);
        Command.Sync msi = Command.Sync.msi(0x8000_1230L, 0);
        assertThat(msi.dw0()).isEqualTo(0x000000000fc01046L);
        assertThat(msi.dw1()).isEqualTo(0x8000_1230L);
        for (Command c : new Command[] {new Command.Resume(0x42, 7, false, true), new Command.StallTerm(0x42),
                Command.Sync.sev(), msi, Command.ConfigInvalidation.all(), Command.ConfigInvalidation.ste(9),
                Command.ConfigInvalidation.cd(9, 3)}) {
            assertThat(Command.decode(c.dw0(), c.dw1())).isEqualTo(c);
        }
        assertThat(Command.decode(0x99, 0)).isInstanceOf(Command.Unknown.class);
    }

    @Test
    void tv18QueueBaseAndPointerArithmetic() {
        long base = SmmuRegisters.Q_BASE_RWA | 0x80000000L | 7;
        assertThat(base).isEqualTo(0x4000000080000007L);
        int full = 0x80;
        assertThat(QueuePointer.full(full, 0, 7)).isTrue();
        assertThat(QueuePointer.empty(0x80000080, 0x80000080, 7)).isTrue();
        assertThat(QueuePointer.increment(0x7f, 7)).isEqualTo(0x80);
        assertThat(QueuePointer.increment(0x8000_00ff, 7)).isEqualTo(0x8000_0000);
        assertThat(QueuePointer.used(0x05, 0xfe, 7)).isEqualTo(7);
        assertThat(QueuePointer.increment(0, 0)).isEqualTo(1); // one-entry queue: wrap bit is bit 0
        assertThat(QueuePointer.full(1, 0, 0)).isTrue();
    }

    @Test
    void tv110SteAndCdAsLinuxBuildsThem() {
        StreamTableEntry s1 = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S1_TRANS)
                .contextTable(0x80010000L, 0, 0).stage1Controls(0, true, 0).build();
        assertThat(s1.encode()[0]).isEqualTo(0x000000008001000bL);
        assertThat(s1.encode()[1]).isEqualTo(0x00000000080000d4L);
        StreamTableEntry twoLevel = s1.toBuilder().contextTable(0x80010000L, 1, 20).build();
        assertThat(twoLevel.encode()[0]).isEqualTo(0xa00000008001001bL);
        StreamTableEntry s2 = StreamTableEntry.builder().config(true, StreamTableEntry.CFG_S2_TRANS)
                .stage2(1, 24, 1, 2, 0x80100000L, false).build();
        assertThat(s2.encode()[0]).isEqualTo(0x000000000000000dL);
        assertThat(s2.encode()[2]).isEqualTo(0x044a355800000001L);
        assertThat(s2.encode()[3]).isEqualTo(0x0000000080100000L);
        assertThat(StreamTableEntry.decode(s2.encode())).isEqualTo(s2);
        ContextDescriptor cd = ContextDescriptor.linux(48, 5, 1, 0x8020_0000L, false);
        assertThat(cd.encode()[0]).isEqualTo(0x0001e205c0003510L);
        assertThat(cd.withFaultControls(true, true, true).encode()[0]).isEqualTo(0x0001f205c0003510L);
        assertThat(cd.withAccessFlag(false, true, true).encode()[0]).isEqualTo(0x0001ee05c0003510L);
        assertThat(cd.encode()[3]).isEqualTo(0x00000000f404ff44L);
        assertThat(ContextDescriptor.decode(cd.encode())).isEqualTo(cd);
    }

    @Test
    void tv41PriEntriesOfAGroupAndItsSuccessResponse() {
        PriEntry a = PriEntry.of(0x300, new PageRequestMessage(0x300, 5, false, false, true, false, false, 0x12,
                0x7f0000400000L));
        PriEntry b = PriEntry.of(0x300, new PageRequestMessage(0x300, 5, false, false, true, true, true, 0x12,
                0x7f0000401000L));
        assertThat(a.dw0()).isEqualTo(0x9000000500000300L);
        assertThat(a.dw1()).isEqualTo(0x00007f0000400012L);
        assertThat(b.dw0()).isEqualTo(0xf000000500000300L);
        assertThat(b.dw1()).isEqualTo(0x00007f0000401012L);
        Command.PriResponse ok = new Command.PriResponse(0x300, true, 5, 0x12, Command.PriResponse.SUCCESS);
        assertThat(ok.dw0()).isEqualTo(0x0000030000005841L);
        assertThat(ok.dw1()).isEqualTo(0x0000000000002012L);
        assertThat(Command.PriResponse.pcieCode(Command.PriResponse.DENY)).isEqualTo(0b1111);
        assertThat(Command.PriResponse.pcieCode(Command.PriResponse.FAIL)).isEqualTo(0b0001);
        assertThat(Command.PriResponse.pcieCode(3)).isEqualTo(-1);
        assertThat(PriEntry.of(0x300, PageRequestMessage.stopMarker(0x300, 5, 1)).stopMarker()).isTrue();
        assertThat(new PriEntry(0x300, 0, false, false, false, false, true, false, 1, 0).pasid()).isEqualTo(Pasid.NONE);
    }
}
