package dev.faultline.faultlog;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Logs as people paste them: each way a paste differs from the kernel's output, on one example. */
class PastedLogDecodingTest {
    private static final String P = "arm-smmu-v3 arm-smmu-v3.0.auto: ";
    private final LogDecoder decoder = new LogDecoder();

    private DecodedLog decode(String... lines) {
        return decoder.decode(List.of(lines));
    }

    @Test
    void aRegisterDumpWithoutItsHeaderLineIsStillTheEvent() {
        DecodedLog log = decode("[ 10.1] " + P + "0x0000004200005810", "[ 10.1] " + P + "0x0000018880000007",
                "[ 10.1] " + P + "0x0000ffff80001234", "[ 10.1] " + P + "0x0000000040001000");
        DecodedFault f = log.faults().get(0);
        assertThat(f.text(FaultField.EVENT)).contains("F_TRANSLATION");
        assertThat(f.number(FaultField.SID)).hasValue(0x42);
        assertThat(f.number(FaultField.SSID)).hasValue(5);
        assertThat(f.number(FaultField.STAG)).hasValue(7);
        assertThat(f.record().size()).isEqualTo(4);
        assertThat(log.ignoredLines()).isZero();
    }

    @Test
    void fewerThanFourDwordsWithoutAHeaderAreNoEvent() {
        DecodedLog log = decode(P + "0x0000004200005810", P + "0x0000018880000007", "unrelated");
        assertThat(log.faults()).isEmpty();
        assertThat(log.ignoredLines()).isEqualTo(3);
    }

    @Test
    void theRawWordsWinOverADecodedLineOfTheSameEvent() {
        // The decoded line agrees on event and StreamID but prints another address: the dword is kept.
        DecodedLog log = decode(P + "event 0x10 received:", P + "0x0000004200005810", P + "0x0000018880000007",
                P + "0x0000ffff80001234", P + "0x0000000040001000",
                P + "event: F_TRANSLATION client: 0000:01:00.0 sid: 0x42 ssid: 0x5 iova: 0xdead0000 ipa: 0x0");
        assertThat(log.faults()).singleElement().satisfies(
                f -> assertThat(f.number(FaultField.ADDRESS)).hasValue(0xffff80001234L));
    }

    @Test
    void chatAndForumQuotesOfAnyDepthAreRemoved() {
        String line = "DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x06]"
                + " PTE Read access is not set";
        for (String quote : List.of("> > > ", ">>> ", "| ", "> | ", "<jdoe> ", "[08:56] <jdoe> ", "[08:56:12] <j.doe> ")) {
            assertThat(decode(quote + line).faults()).as(quote).singleElement()
                    .satisfies(f -> assertThat(f.number(FaultField.ADDRESS)).hasValue(0x7f001000));
        }
    }

    @Test
    void aLineWrappedBeforeTheWordsThatMakeItAReportIsJoinedBack() {
        DecodedLog log = decode("> [   74.959989] arm-smmu fd800000.smmu: Unhandled context",
                "fault: fsr=0x402, iova=0x3165687460, fsynr=0x20001, cbfrsynra=0x877, cb=1",
                "> [   75.000000] unrelated");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.number(FaultField.SID)).hasValue(0x877);
            assertThat(f.line()).isEqualTo(1);
        });
        assertThat(log.ignoredLines()).isEqualTo(1);
    }

    @Test
    void aShortLineIsNotJoinedWithTheNext() {
        // A mail client wraps only long lines: a short unrelated line stays unrelated.
        DecodedLog log = decode("arm-smmu fd800000.smmu: Unhandled context",
                "fault: fsr=0x402, iova=0x3165687460, fsynr=0x20001, cbfrsynra=0x877, cb=1");
        assertThat(log.faults()).isEmpty();
    }

    @Test
    void aWrappedCrashTypeIsJoinedBack() {
        DecodedLog log = decode("> > remoteproc remoteproc1: crash detected in 17300000.remoteproc: type fatal",
                "> error", "> > remoteproc remoteproc1: handling crash #1 in 17300000.remoteproc");
        assertThat(log.faults()).singleElement().satisfies(
                f -> assertThat(f.text(FaultField.CRASH_TYPE)).contains("fatal error"));
        assertThat(log.ignoredLines()).isEqualTo(1);
    }

    @Test
    void aLineThatIsAMessageOfItsOwnIsNeverJoinedToTheLineBefore() {
        DecodedLog log = decode("[   10.000000] some driver printed a long line that a mail client might have cut",
                "DMAR: [DMA Read NO_PASID] Request device [00:02.0] fault addr 0x7f001000 [fault reason 0x06] PTE"
                        + " Read access is not set");
        assertThat(log.faults()).singleElement().satisfies(f -> assertThat(f.line()).isEqualTo(2));
        assertThat(log.ignoredLines()).isEqualTo(1);
    }

    @Test
    void anAmdDeviceWrappedOntoALineOfItsOwnIsNotReadAsQuotedPrintable() {
        // "device=20:00.0" alone on a line looks like a quoted-printable "=20" escape; it is not one.
        DecodedLog log = decode("[    1.116842] AMD-Vi: Event logged [IO_PAGE_FAULT device=20:00.0",
                "domain=0x0003 address=0x000000f4001eef80 flags=0x0010]");
        assertThat(log.faults()).singleElement().satisfies(
                f -> assertThat(f.text(FaultField.DEVICE)).contains("20:00.0"));
    }

    @Test
    void contextFaultRegisterLinesWithoutTheirSummaryAreStillTheReport() {
        // The FSR and FSYNR0 lines of sm7150-mainline/linux#61, pasted without the "Unhandled context fault" line.
        DecodedLog log = decode("[    0.561295] arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x800",
                "[    0.561303] arm-smmu 15000000.iommu: FSYNR0 = 007c0020 [S1CBNDX=124 PNU PLVL=0]");
        DecodedFault f = log.faults().get(0);
        assertThat(f.format()).isEqualTo(FaultFormat.SMMU_CONTEXT_FAULT);
        assertThat(f.number(FaultField.SID)).hasValue(0x800);
        assertThat(f.names(FaultField.FSR_FLAGS)).containsExactly("TF");
        assertThat(f.isTrue(FaultField.PRIV)).isTrue();
        assertThat(f.isTrue(FaultField.READ)).isTrue();
        // Only the summary prints the address and the context bank: not determinable here.
        assertThat(f.determined(FaultField.ADDRESS)).isFalse();
        assertThat(f.determined(FaultField.CB)).isFalse();
        assertThat(log.ignoredLines()).isZero();
    }

    @Test
    void anFsrLineAloneIsNoReport() {
        assertThat(decode("arm-smmu 15000000.iommu: FSR    = 00000402 [Format=2 TF], SID=0x800").faults()).isEmpty();
    }

    @Test
    void aDwordWrappedAtTheSpaceOfASplitPasteIsJoinedBack() {
        // smmuv3-event-09 prints its first dword as "0x00000180 00000010"; a mail client cut it at that space.
        DecodedLog log = decode("> " + P + "event 0x10 received:", "> " + P + "0x00000180", "00000010",
                "> " + P + "0x0000020100000000", "> " + P + "0x00000000ffffe040", "> " + P + "0x00000000ffffe000");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.number(FaultField.SID)).hasValue(0x180);
            assertThat(f.number(FaultField.EVENT_ID)).hasValue(0x10);
            assertThat(f.number(FaultField.ADDRESS)).hasValue(0xffffe040L);
        });
        assertThat(log.ignoredLines()).isZero();
    }

    @Test
    void aSummaryWrappedByHandBeforeItsCommaIsJoinedBack() {
        // smmu-context-fault-19: the author moved the comma to the continuation line.
        DecodedLog log = decode("> [  157.563136] arm-smmu 15000000.iommu: Unhandled context fault: fsr=0x402",
                "> ,iova=0xd65504710, fsynr=0x100011, cbfrsynra=0x0, cb=6");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.number(FaultField.ADDRESS)).hasValue(0xd65504710L);
            assertThat(f.number(FaultField.CB)).hasValue(6);
            assertThat(f.isTrue(FaultField.WRITE)).isTrue();
        });
        assertThat(log.problems()).isEmpty();
        assertThat(log.ignoredLines()).isZero();
    }

    @Test
    void aLongUnrelatedLineIsNotJoinedToAWrappedReportAfterIt() {
        // amd-io-page-fault-17: a register dump line, then a fault wrapped before "address=". The dump line stays
        // ignored: the report starts on the next line even though it needs its own continuation.
        DecodedLog log = decode(">R10: ffffed10bfcd120d R11: ffff8885fe68906b R12: 0000000000000000",
                ">smartpqi 0000:23:00.0: AMD-Vi: Event logged [IO_PAGE_FAULT domain=0x0000",
                ">address=0xffffffffffec1a00 flags=0x0010]");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.number(FaultField.ADDRESS)).hasValue(0xffffffffffec1a00L);
            assertThat(f.line()).isEqualTo(2);
        });
        assertThat(log.ignoredLines()).isEqualTo(1);
    }

    @Test
    void registersWithoutTheirSummaryWrappedByAMailClientAreStillTheReport() {
        // smmu-context-fault-23 wrapped at 72 columns: both register lines continue on the next line.
        DecodedLog log = decode(">>>> [    4.911422] arm-smmu cd00000.iommu: FSR    = 00000402 [Format=2",
                "TF], SID=0x0", ">>>> [    4.923353] arm-smmu cd00000.iommu: FSYNR0 = 00000021 [S1CBNDX=0",
                "PNU PLVL=1]");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.number(FaultField.FSYNR)).hasValue(0x21);
            assertThat(f.isTrue(FaultField.PRIV)).isTrue();
        });
        assertThat(log.ignoredLines()).isZero();
    }

    @Test
    void aRegisterDumpCutRightAfterItsEqualsSignIsNoQuotedPrintableSoftBreak() {
        // a chat client quoting the mail, then wrapping at 72: "FSYNR0 =" ends the line, its value starts the next;
        // quoted-printable would have written the sign as =3D, so the trailing '=' is the register dump's own
        DecodedLog log = decode("[09:56] <dev1> >>>> [    4.911422] arm-smmu cd00000.iommu: FSR    =",
                "00000402 [Format=2 TF], SID=0x0", "[09:56] <dev1> >>>> [    4.923353] arm-smmu cd00000.iommu: FSYNR0 =",
                "00000021 [S1CBNDX=0 PNU PLVL=1]");
        assertThat(log.faults()).singleElement().satisfies(f -> {
            assertThat(f.number(FaultField.FSR)).hasValue(0x402);
            assertThat(f.number(FaultField.FSYNR)).hasValue(0x21);
        });
        assertThat(log.ignoredLines()).isZero();
    }
}
